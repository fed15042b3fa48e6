import { type Block, context, dataOf, type Reply, text } from "../chat/reply.js";
import { suggest } from "../chat/suggest.js";
import { NotFoundError } from "../lib/errors.js";
import type { DataAge, DeviceHeader, FleetQueries, Scope } from "./fleet-query-types.js";
import { describeAge, formatAgo, isStale } from "./freshness.js";

/** Shared pieces of the management chat answers (commands/links, drives, firmware, device, fleet). */
/** The canonical device name, or a NotFoundError that suggests close names. */
export function deviceOrThrow(fleet: FleetQueries, word: string): string {
  const name = fleet.resolveDevice(word);
  if (name) return name;
  const close = suggest(word, fleet.deviceNames());
  throw new NotFoundError(
    `No device named "${word}".`,
    close.length > 0
      ? [`Did you mean ${close.join(", ")}?`]
      : ["`fleet` shows how many devices opsbot knows."],
  );
}

/** A device, tag or site; or a NotFoundError that suggests close ones of each. */
export function scopeOrThrow(fleet: FleetQueries, word: string): Scope {
  const scope = fleet.resolveScope(word);
  if (scope) return scope;
  const close = suggest(word, [...fleet.deviceNames(), ...fleet.tags(), ...fleet.sites()]);
  throw new NotFoundError(
    `No device, tag or site named "${word}".`,
    close.length > 0 ? [`Did you mean ${close.join(", ")}?`] : [],
  );
}

/**
 * With no device in the cache every "nothing wrong" answer would be a false all-clear: say instead that
 * opsbot watches nothing. Undefined when the fleet has devices.
 */
export function emptyFleetReply(fleet: FleetQueries): Reply | undefined {
  if (fleet.hasDevices()) return undefined;
  return {
    blocks: [
      text(
        "⚠ opsbot knows no devices, so it cannot tell whether anything is wrong: the config has none " +
          "(no opsbot.yaml, an empty `devices:` list, or an inventory source that listed none).",
      ),
      context("Add devices to opsbot.yaml (see opsbot.example.yaml), or pass `--config FILE`."),
    ],
    isError: true,
    data: dataOf("error", { code: "EMPTY_FLEET", message: "opsbot knows no devices", details: [] }),
  };
}

export function scopeLabel(scope: Scope | undefined): string {
  if (!scope) return "the fleet";
  if ("device" in scope) return scope.device;
  if ("tag" in scope) return `tag ${scope.tag}`;
  return `site ${scope.site}`;
}

/** The small print every answer ends with: how old the data is, flagged when stale. */
export function ageBlock(age: DataAge, now: number, extra?: string): Block {
  return context(extra ? `${describeAge(age, now)} · ${extra}` : describeAge(age, now));
}

/**
 * The same for a list of rows from several polls: the age of the oldest row, and the devices in scope
 * whose data is stale or missing (the answer may be incomplete without them).
 */
export function listAgeBlock(
  result: { age: DataAge; staleCount: number; staleDevices: string[] },
  now: number,
): Block {
  const parts = [describeAge(result.age, now, { list: true })];
  if (result.staleCount > 0) {
    const shown = result.staleDevices.slice(0, 5);
    const more = result.staleCount - shown.length;
    const names = more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
    parts.push(`⚠ ${plural(result.staleCount, "device")} with stale or no data: ${names}`);
  }
  return context(parts.join(" · "));
}

/** A per-row age cell: "2m", or "⚠ 14m" when that row's data is stale. */
export function ageCell(polledAt: number, intervalMs: number, now: number): string {
  const text = formatAgo(now - polledAt);
  return isStale({ polledAt, intervalMs }, now) ? `⚠ ${text}` : text;
}

/** A line about reachability when the device is not answering, so its data is read with care. */
export function reachabilityNote(d: DeviceHeader, now: number): string | undefined {
  if (d.reachable !== false) return undefined;
  const polls = d.consecutiveFailures === 1 ? "1 failed poll" : `${d.consecutiveFailures} failed polls`;
  const error = d.lastError ?? "no response";
  if (d.lastOkAt === null) return `⚠ ${d.name} has never answered (${polls}): ${error}.`;
  const since = `last reached ${formatAgo(now - d.lastOkAt)} ago`;
  return `⚠ ${d.name} is not answering (${polls}, ${since}): ${error}. Showing its last data.`;
}

export function formatSpeed(mbps: number): string {
  if (mbps <= 0) return "—";
  if (mbps >= 1000) return `${Number((mbps / 1000).toFixed(1))}G`;
  return `${mbps}M`;
}

export function formatBps(bps: number | null): string {
  if (bps === null) return "—";
  const units = ["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"];
  let v = bps;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** "3h 5m" since a time, or "—". */
export function since(at: number | null, now: number): string {
  return at === null ? "—" : formatAgo(now - at);
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
