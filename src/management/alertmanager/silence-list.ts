import type { AlertmanagerApi, AmListedSilence } from "./am-api.js";
import { type AmGroupRepo, silenceHolds } from "./group-repo.js";

/**
 * The Alertmanager part of `silences`: every active or pending silence Alertmanager holds, each
 * labelled with where it came from (opsbot's group am:ID, or made in Alertmanager / amtool / Grafana).
 * Alertmanager unreachable → the silences opsbot created are still listed from its own records, with
 * the reason Alertmanager could not be read — so the answer never reads as "no silences".
 */
export interface AmSilenceRow {
  id: string;
  /** `opsbot`: created from chat for `group`; `alertmanager`: made outside opsbot. */
  source: "opsbot" | "alertmanager";
  group: number | null;
  state: "active" | "pending";
  matchers: AmListedSilence["matchers"];
  createdBy: string;
  comment: string;
  startsAt: number;
  endsAt: number;
}

export interface AmSilenceListing {
  /** alertmanager.api.url, or null when it is not configured (opsbot cannot read Alertmanager). */
  url: string | null;
  /** Why Alertmanager could not be read; the rows are then opsbot's own records only. */
  error: string | null;
  silences: AmSilenceRow[];
}

export async function listAmSilences(
  repo: AmGroupRepo,
  api: AlertmanagerApi | undefined,
  now: number,
): Promise<AmSilenceListing> {
  const open = repo.openSilences();
  const ours = open.filter((g) => silenceHolds(g.silence, now));
  const recorded = (): AmSilenceRow[] =>
    ours.map((g) => ({
      id: g.silence!.id,
      source: "opsbot",
      group: g.id,
      state: "active",
      matchers: Object.entries(Object.keys(g.groupLabels).length > 0 ? g.groupLabels : g.labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
      createdBy: `${g.silence!.by.name} (Slack ${g.silence!.by.id})`,
      comment: "",
      startsAt: g.silence!.at,
      endsAt: g.silence!.until,
    }));
  if (!api) return { url: null, error: null, silences: recorded() };
  let listed: AmListedSilence[];
  try {
    listed = await api.listSilences();
  } catch (err) {
    return { url: api.url, error: (err as Error).message, silences: recorded() };
  }
  // Every silence opsbot has not seen end (one extended in Alertmanager may be past its recorded end).
  const groupOf = new Map(open.map((g) => [g.silence!.id, g.id]));
  const rows = listed
    .filter((x) => x.state !== "expired" && x.endsAt > now)
    .map(
      (x): AmSilenceRow => ({
        id: x.id,
        source: groupOf.has(x.id) ? "opsbot" : "alertmanager",
        group: groupOf.get(x.id) ?? null,
        state: x.state === "pending" ? "pending" : "active",
        matchers: x.matchers,
        createdBy: x.createdBy,
        comment: x.comment,
        startsAt: x.startsAt,
        endsAt: x.endsAt,
      }),
    )
    .sort((a, b) => a.endsAt - b.endsAt || a.id.localeCompare(b.id));
  return { url: api.url, error: null, silences: rows };
}

/** `alertname="DiskFull"`, `instance=~"db.*"`, `env!="dev"` — as amtool writes them. */
export function matcherText(m: AmListedSilence["matchers"][number]): string {
  const op = `${m.isEqual ? "=" : "!"}${m.isRegex ? "~" : m.isEqual ? "" : "="}`;
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}
