import { type Block, context, fields, heading, type Reply, reply, table, text } from "../../chat/reply.js";
import { formatAge } from "../../lib/clock.js";
import type { InventoryChange, MergedInventory } from "./merge.js";
import type { InventoryHealth, RefreshReport, SourceOutcome, SourceState } from "./types.js";

/** Replies about the inventory: the change report, `inventory`, `inventory diff`, `inventory check`. */

const LIST_MAX = 40;

const plural = (n: number, word: string) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

function names(list: { name: string; source: string }[]): string {
  const shown = list.slice(0, LIST_MAX).map((d) => `${d.name} (${d.source})`);
  const more = list.length > LIST_MAX ? `, and ${list.length - LIST_MAX} more` : "";
  return `${shown.join(", ")}${more}`;
}

function changeBlocks(change: InventoryChange): Block[] {
  const blocks: Block[] = [];
  if (change.added.length > 0)
    blocks.push(text(`Added ${plural(change.added.length, "device")}: ${names(change.added)}`));
  if (change.removed.length > 0)
    blocks.push(
      text(
        `Removed ${plural(change.removed.length, "device")}: ${names(change.removed)}. Their change history is kept.`,
      ),
    );
  if (change.changed.length > 0) {
    const rows = change.changed.slice(0, LIST_MAX).map((c) => [c.name, c.what.join(", ")]);
    const caption =
      change.changed.length > LIST_MAX ? `${change.changed.length - LIST_MAX} more not shown` : undefined;
    blocks.push(table(["Changed", "What"], rows, caption));
  }
  return blocks;
}

function outcomeLine(o: SourceOutcome): string {
  return o.ok
    ? `${o.source}: ${plural(o.devices, "device")}`
    : `${o.source}: FAILED (${o.error}); kept its last list of ${plural(o.devices, "device")}`;
}

/** Posted to the admin channel when a refresh added or removed devices. */
export function changeReply(
  change: Pick<InventoryChange, "added" | "removed">,
  outcomes: SourceOutcome[],
): Reply {
  return reply(
    heading("Inventory changed"),
    ...changeBlocks({ ...change, changed: [] }),
    context(outcomes.map(outcomeLine).join(" · ")),
  );
}

export function refreshReply(r: RefreshReport, title: string, emptyLine: string): Reply {
  const blocks = changeBlocks(r.change);
  const out = reply(
    heading(title),
    ...(blocks.length > 0 ? blocks : [text(emptyLine)]),
    context(r.sources.map(outcomeLine).join(" · ")),
  );
  if (r.sources.some((s) => !s.ok)) out.isError = true;
  return out;
}

export function statusReply(
  sources: SourceState[],
  merged: MergedInventory,
  health: InventoryHealth,
  now: number,
): Reply {
  const counts = new Map<string, number>();
  for (const s of merged.sourceOf.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
  const rows = [
    ["yaml", "opsbot.yaml", String(counts.get("yaml") ?? 0), "—", "ok"],
    ...sources.map((s) => [
      s.source,
      s.location,
      String(counts.get(s.source) ?? 0),
      s.fetchedAt === null ? "never" : formatAge(now - s.fetchedAt),
      s.error === null ? (s.fetchedAt === null ? "not fetched yet" : "ok") : `failing: ${s.error}`,
    ]),
  ];
  return reply(
    heading(`Inventory: ${plural(merged.devices.length, "device")}`),
    table(["Source", "From", "Devices", "Fetched", "Status"], rows),
    ...(health.ok ? [] : [text(health.problems.join("\n"))]),
    context(
      "`inventory diff` shows what a refresh would change · `inventory check` shows each device's settings",
    ),
  );
}

/** Every device, where its settings come from, and which cannot be polled. */
export function checkReply(
  merged: MergedInventory,
  sources: SourceState[],
  maxRows = Number.POSITIVE_INFINITY,
): Reply {
  // Devices that need attention first; the rest keep their list order.
  const rank = (r: (typeof merged.resolutions)[number]) =>
    !r.device ? 0 : !r.pollable ? 1 : r.problems.length > 0 ? 2 : 3;
  const ordered = [...merged.resolutions].sort((a, b) => rank(a) - rank(b));
  const rows = ordered
    .slice(0, maxRows)
    .map((r) => [
      r.name,
      r.source,
      r.settings.snmp ?? "—",
      r.settings.ssh ?? "—",
      r.settings.backup ?? "—",
      !r.device ? "NOT USED" : r.pollable ? "yes" : "NO",
    ]);
  const unusable = merged.resolutions.filter((r) => !r.pollable);
  const problems = merged.resolutions.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`));
  const skipped = sources.flatMap((s) => s.skipped.map((x) => `${s.source} ${x}`));
  const blocks: Block[] = [
    heading(
      merged.resolutions.length === 0
        ? "No devices: none in opsbot.yaml and no source has listed any"
        : `${plural(merged.resolutions.length, "device")}, ${unusable.length === 0 ? "all can be polled" : `${unusable.length} cannot be polled`}`,
    ),
  ];
  if (rows.length > 0) {
    const hidden = ordered.length - rows.length;
    const caption =
      hidden > 0
        ? `${plural(hidden, "more device")} not shown: \`opsbot inventory check\` lists all`
        : undefined;
    blocks.push(table(["Device", "Source", "SNMP", "SSH", "Backup", "Pollable"], rows, caption));
  }
  if (unusable.length > 0)
    blocks.push(
      fields({
        "No way to poll": unusable
          .map((r) => `${r.name}${r.device ? " (no snmp, and no ssh with collect)" : " (not usable)"}`)
          .join(", "),
      }),
    );
  if (problems.length > 0) blocks.push(text(`Problems:\n${problems.map((p) => `• ${p}`).join("\n")}`));
  if (merged.shadowed.length > 0)
    blocks.push(
      context(
        `Overridden: ${merged.shadowed.map((s) => `${s.name} from ${s.source} (by ${s.by})`).join(", ")}`,
      ),
    );
  if (skipped.length > 0)
    blocks.push(text(`Skipped source entries:\n${skipped.map((s) => `• ${s}`).join("\n")}`));
  const out = reply(...blocks);
  if (unusable.length > 0 || problems.length > 0) out.isError = true;
  return out;
}
