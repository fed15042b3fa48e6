import { table } from "../chat/reply.js";
import { ageCell, formatBytes, since } from "./answers.js";
import type { DriveView, FirmwareView, ListResult } from "./fleet-query-types.js";

/** Tables shared by the drive and firmware answers (commands/drives*.ts, commands/firmware*.ts). */
const ICON: Record<DriveView["status"], string> = { failed: "🔴", warning: "🟠", unknown: "⚪", ok: "🟢" };

const detailText = (d: DriveView) =>
  [
    d.model,
    d.capacityBytes === null ? null : formatBytes(d.capacityBytes),
    ...Object.entries(d.detail ?? {}).map(([k, v]) => `${k}=${v}`),
  ]
    .filter((s) => s !== null && s !== "")
    .join(", ");

export function drivesTable(result: ListResult<DriveView>, now: number, withDevice: boolean) {
  const rows = result.items.map((d) => [
    ...(withDevice ? [d.device] : []),
    d.name,
    `${ICON[d.status]} ${d.status}`,
    d.rawStatus,
    d.sources.join(" + "),
    detailText(d),
    since(d.statusSince, now),
    ageCell(d.polledAt, d.intervalMs, now),
  ]);
  const caption =
    result.total > result.items.length
      ? `First ${result.items.length} of ${result.total}, failing first.`
      : undefined;
  return table(
    [
      ...(withDevice ? ["Device"] : []),
      "Drive",
      "Status",
      "Vendor status",
      "Source",
      "Detail",
      "Status for",
      "Data age",
    ],
    rows,
    caption,
  );
}

const STATUS_TEXT: Record<FirmwareView["compliance"]["status"], string> = {
  compliant: "✅ compliant",
  below: "❌ below baseline",
  mismatch: "❌ not the required version",
  unknown: "❓ version unknown",
  "no-baseline": "— no baseline",
};

export function firmwareTable(result: ListResult<FirmwareView>) {
  const rows = result.items.map((f) => {
    const b = f.compliance.baseline;
    return [
      f.device,
      f.model ?? "?",
      f.version ?? "?",
      b ? `${b.rule === "min" ? "≥" : "="} ${b.version}` : "",
      STATUS_TEXT[f.compliance.status],
    ];
  });
  const caption =
    result.total > result.items.length
      ? `First ${result.items.length} of ${result.total}, drift first.`
      : undefined;
  return table(["Device", "Model", "Version", "Baseline", "Compliance"], rows, caption);
}
