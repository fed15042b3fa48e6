import type { ReplyFile } from "../../chat/reply.js";
import type { HistoryService } from "../history/history-service.js";
import type { Alert } from "./types.js";

/** Rules whose alerts carry the port's last hours as a chart in their thread. */
const CHARTED = new Set(["port_down", "error_rate"]);
const WINDOW_MS = 6 * 3_600_000;

export type AlertCharts = (alert: Alert) => Promise<ReplyFile | undefined>;

/**
 * The chart for an alert's thread: the port's traffic and errors over the last 6 hours, so whoever
 * opens the alert sees when it started. Undefined for other rules and ports the cache no longer knows.
 */
export function alertChartsFrom(history: HistoryService): AlertCharts {
  return async (alert) => {
    if (!CHARTED.has(alert.rule)) return undefined;
    let target: ReturnType<HistoryService["resolveTarget"]>;
    try {
      target = history.resolveTarget(alert.device, alert.object);
    } catch {
      return undefined;
    }
    if (target.kind !== "port") return undefined;
    const chart = await history.chart(target, WINDOW_MS, "6h");
    if (chart.values === 0) return undefined;
    return { filename: chart.filename, title: `${chart.title}, last 6h`, content: chart.png };
  };
}
