import { ConflictError, NotFoundError, UsageError } from "../../lib/errors.js";
import { formatDateTime } from "../../lib/time-format.js";
import type { AmListedSilence } from "./am-api.js";
import { matcherText } from "./silence-list.js";

/** Fewest characters of a silence id `unsilence` takes: a shorter prefix is too easy to mistype into another. */
export const MIN_SILENCE_PREFIX = 4;

/** `0f3c2a9e-…`: what an Alertmanager silence id (a UUID) or a prefix of one looks like. */
export function looksLikeSilenceId(text: string): boolean {
  return /^[0-9a-f][0-9a-f-]*$/i.test(text.trim()) && !/^\d+$/.test(text.trim());
}

const live = (x: AmListedSilence, now: number) => x.state !== "expired" && x.endsAt > now;

const described = (x: AmListedSilence) =>
  `${x.id} (${x.matchers.map(matcherText).join(", ")}; by ${x.createdBy || "nobody named"})`;

/**
 * The one silence in Alertmanager's list that `text` names: its whole id, or a prefix that only one
 * active or pending silence starts with. Unknown, ambiguous and already ended are each said in words.
 */
export function pickSilence(listed: AmListedSilence[], text: string, now: number): AmListedSilence {
  const q = text.trim().toLowerCase();
  if (q.length < MIN_SILENCE_PREFIX)
    throw new UsageError(
      `"${text}" is too short for an Alertmanager silence id; give at least ${MIN_SILENCE_PREFIX} of its characters (\`silences\` lists them).`,
    );
  const exact = listed.find((x) => x.id.toLowerCase() === q);
  const matches = exact ? [exact] : listed.filter((x) => x.id.toLowerCase().startsWith(q));
  const active = matches.filter((x) => live(x, now));
  if (active.length === 1) return active[0]!;
  if (active.length > 1)
    throw new ConflictError(
      `"${text}" starts ${active.length} active Alertmanager silences; give more of the id. Nothing was ended.`,
      active.map(described),
    );
  if (matches.length > 0) {
    const last = matches.reduce((a, b) => (b.endsAt > a.endsAt ? b : a));
    const others =
      matches.length > 1 ? ` (and ${matches.length - 1} more starting "${text}", all ended)` : "";
    throw new ConflictError(
      `Alertmanager silence ${last.id} already ended at ${formatDateTime(last.endsAt)}${others}; nothing to end.`,
    );
  }
  throw new NotFoundError(`Alertmanager has no silence whose id starts with "${text}".`, [
    "`silences` lists the active ones with their ids.",
  ]);
}
