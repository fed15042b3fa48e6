import { type Block, context, iso, table, text } from "../../chat/reply.js";
import { formatDuration } from "../../lib/clock.js";
import { formatDateTime } from "../../lib/time-format.js";
import { type AmSilenceListing, matcherText } from "./silence-list.js";

/**
 * The Alertmanager section of `silences`: its blocks and the `alertmanager` field of the `silences`
 * payload (docs/json.md). Unreadable or not configured is said in so many words.
 */
export function amSilencesSection(
  l: AmSilenceListing,
  now: number,
): { blocks: Block[]; data: Record<string, unknown> } {
  const data = {
    url: l.url,
    readable: l.url !== null && l.error === null,
    error: l.error,
    silences: l.silences.map((s) => ({
      id: s.id,
      source: s.source,
      group: s.group === null ? null : `am:${s.group}`,
      state: s.state,
      matchers: s.matchers,
      createdBy: s.createdBy,
      comment: s.comment,
      startsAt: iso(s.startsAt),
      endsAt: iso(s.endsAt),
      remainingSeconds: Math.max(0, Math.round((s.endsAt - now) / 1000)),
    })),
  };
  const blocks: Block[] = [];
  const n = l.silences.length;
  if (l.url === null)
    blocks.push(
      context(
        "⚠️ Alertmanager's own silences are not shown: alertmanager.api is not configured in opsbot.yaml.",
      ),
    );
  else if (l.error !== null)
    blocks.push(
      text(`⚠️ Alertmanager could not be read, so silences made outside opsbot are not shown: ${l.error}`),
    );
  if (n === 0) {
    if (l.url !== null && l.error === null)
      blocks.push(text(`No active silences in Alertmanager (${l.url}).`));
    else if (l.url !== null)
      blocks.push(text("No Alertmanager silences from opsbot are recorded as active."));
    return { blocks, data };
  }
  const title =
    l.error === null && l.url !== null
      ? `${n} in Alertmanager (${l.url})`
      : `${n} Alertmanager silence${n === 1 ? "" : "s"} from opsbot (as recorded)`;
  blocks.push(
    table(
      ["Alertmanager silence", "source", "matchers", "by", "ends at", "ends in"],
      l.silences.map((s) => [
        s.id,
        s.source === "opsbot" ? `opsbot am:${s.group}` : "made in Alertmanager",
        s.matchers.map(matcherText).join(", "),
        s.createdBy,
        formatDateTime(s.endsAt),
        s.state === "pending"
          ? `starts in ${formatDuration(s.startsAt - now)}`
          : formatDuration(s.endsAt - now),
      ]),
      title,
    ),
    context(
      "`unsilence SILENCE-ID` ends any of them (the first characters of its id are enough when no other starts so); `unsilence am:ID` ends a group's.",
    ),
  );
  return { blocks, data };
}
