import { createRequire } from "node:module";
import {
  type Block,
  type Button,
  buttons,
  context,
  heading,
  type Reply,
  reply,
  table,
} from "../../chat/reply.js";
import { formatDateTime } from "../../lib/time-format.js";
import { type AmGroup, type AmSilence, silenceHolds } from "./group-repo.js";
import {
  parseRunbookAnnotation,
  RUNBOOK_ANNOTATION,
  type SuggestionCheck,
  suggestionProblem,
} from "./runbook-annotation.js";

export const ACTION_AM_ACK = "am.ack";
export const ACTION_AM_SILENCE = "am.silence";
export const ACTION_AM_UNSILENCE = "am.unsilence";
export const ACTION_AM_RUN = "am.run";

/** The silence buttons' durations (the command takes any duration up to alerts.max_silence). */
export const SILENCE_BUTTONS = ["1h", "1d"] as const;
/** Run buttons per message; the rest are named in the message. */
const MAX_RUN_BUTTONS = 3;

export interface AmRenderOptions {
  now: number;
  /** `alertmanager.api` is configured: Silence / Unsilence can work. */
  silences: boolean;
  /**
   * Whether `run` would take a suggested runbook and its params now (checked at every rendering, so a
   * runbook reload shows at the next update); a suggestion it refuses is said instead of a Run button.
   */
  checkRun?: SuggestionCheck;
}

/** "🔔 The silence by bob expired at …", saying how it ended when the silence sync saw it. */
function silenceEndNote(s: AmSilence): string {
  const by = `The silence by ${s.by.name} (silence ${s.id})`;
  if (s.ended?.how === "expired_in_am")
    return `🔔 ${by} was expired in Alertmanager at ${formatDateTime(s.ended.at)}, before its end ${formatDateTime(s.until)}`;
  if (s.ended?.how === "gone")
    return `🔔 ${by} is no longer in Alertmanager (deleted there, or Alertmanager lost its data); noticed at ${formatDateTime(s.ended.at)}`;
  return `🔔 ${by} expired at ${formatDateTime(s.ended?.at ?? s.until)}`;
}

/** Runbook suggestions of the firing alerts: one per distinct annotation, with the alert it came from. */
export function runbookSuggestions(g: AmGroup) {
  const seen = new Map<string, { fingerprint: string; instance: string }>();
  for (const [fingerprint, a] of Object.entries(g.alerts).sort(([x], [y]) => x.localeCompare(y))) {
    const text = a.annotations[RUNBOOK_ANNOTATION];
    if (a.status !== "firing" || text === undefined || seen.has(text)) continue;
    seen.set(text, { fingerprint, instance: a.labels.instance ?? a.labels.device ?? fingerprint });
  }
  return [...seen].map(([text, from]) => ({ text, ...from, parsed: parseRunbookAnnotation(text) }));
}

/** What a group is about: its alert name and where (instance, device or job), from its common labels. */
export function groupName(g: AmGroup): { name: string; where: string } {
  return {
    name: g.labels.alertname ?? Object.values(g.alerts)[0]?.labels.alertname ?? "alert",
    where: g.labels.instance ?? g.labels.device ?? g.labels.job ?? "",
  };
}

/** The group's message: rendered from its stored state, so an update always shows the whole group. */
export function renderAmGroup(g: AmGroup, options: AmRenderOptions = { now: 0, silences: false }): Reply {
  const alerts = Object.entries(g.alerts).sort(([a], [b]) => a.localeCompare(b));
  const firing = alerts.filter(([, a]) => a.status === "firing").length;
  const { name, where } = groupName(g);
  const icon = g.status === "firing" ? (g.labels.severity === "critical" ? "🔴" : "🟠") : "✅";
  const more = g.truncated > 0 ? `, ${g.truncated} more not sent` : "";
  const title = `${icon} ${name}${where ? ` — ${where}` : ""} (Alertmanager: ${g.status === "firing" ? `${firing} firing` : "resolved"}${more})`;
  const rows = alerts.map(([, a]) => [
    a.labels.instance ?? a.labels.device ?? "",
    a.status,
    a.annotations.summary ?? a.annotations.description ?? a.labels.alertname ?? "",
    a.startsAt,
  ]);
  const blocks: Block[] = [heading(title), table(["Instance", "Status", "Summary", "Since"], rows)];
  const silenced = silenceHolds(g.silence, options.now);
  const notes: string[] = [];
  if (g.truncated > 0)
    notes.push(
      `⚠️ Alertmanager left out ${g.truncated} more alert${g.truncated === 1 ? "" : "s"} of this group (its webhook max_alerts): this list is not the whole group.`,
    );
  if (g.silence && silenced)
    notes.push(
      `🔕 Silenced in Alertmanager by ${g.silence.by.name} until ${formatDateTime(g.silence.until)} (silence ${g.silence.id})`,
    );
  else if (g.silence) notes.push(silenceEndNote(g.silence));
  if (g.ack) notes.push(`👍 Acked by ${g.ack.by.name} at ${formatDateTime(g.ack.at)}`);

  const list: Button[] = [];
  if (g.status === "firing") {
    if (!g.ack) list.push({ actionId: ACTION_AM_ACK, label: "Ack", value: String(g.id) });
    if (options.silences && !silenced)
      for (const d of SILENCE_BUTTONS)
        list.push({ actionId: ACTION_AM_SILENCE, label: `Silence ${d}`, value: `${g.id}:${d}` });
    const suggestions = runbookSuggestions(g).map((s) => ({
      ...s,
      refused: s.parsed.ok
        ? suggestionProblem(options.checkRun, s.parsed.runbook, s.parsed.params)
        : undefined,
    }));
    const offered = suggestions.filter((s) => s.parsed.ok && !s.refused).slice(0, MAX_RUN_BUTTONS);
    for (const s of suggestions) {
      if (!s.parsed.ok)
        notes.push(
          `⚠️ No Run button for ${s.instance}: its ${RUNBOOK_ANNOTATION} annotation is malformed — ${s.parsed.problem}.`,
        );
      else if (s.refused) notes.push(`⚠️ No Run button for ${s.instance}: ${s.refused}.`);
      else if (!offered.includes(s)) notes.push(`More suggested: \`run ${s.text}\` (${s.instance})`);
    }
    for (const s of offered) {
      if (!s.parsed.ok) continue;
      const rb = s.parsed.runbook;
      list.push({
        actionId: ACTION_AM_RUN,
        label: `Run ${rb}`.slice(0, 75),
        value: `${g.id}:${s.fingerprint}`,
        style: "primary",
        confirm: {
          title: `Request ${rb}?`.slice(0, 100),
          text: `Requests \`run ${s.text}\` as you; it runs once approved (or at once, if it needs no approval).`,
          confirm: `Request ${rb}`.slice(0, 30),
        },
      });
    }
  }
  if (options.silences && silenced)
    list.push({ actionId: ACTION_AM_UNSILENCE, label: "Unsilence", value: String(g.id) });
  for (const n of notes) blocks.push(context(n));
  blocks.push(context(`receiver ${g.receiver} · group am:${g.id} (${g.groupKey})`));
  if (list.length > 0) blocks.push(buttons(...list));
  return reply(...blocks);
}

export function replyHash(r: Reply): string {
  return crypto().createHash("sha256").update(JSON.stringify(r)).digest("hex");
}

/**
 * node:crypto at first use: this module comes with the `ack`/`silence` commands that every one-shot
 * `ask` registers, and loading node:crypto costs a cold start ~5 ms it rarely needs.
 */
let nodeCrypto: typeof import("node:crypto") | undefined;
function crypto(): typeof import("node:crypto") {
  nodeCrypto ??= createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return nodeCrypto;
}
