import type { OpsRoute } from "./http.js";
import type { OpsMetrics } from "./metrics.js";
import { type ReadinessCheck, renderReadiness, runChecks } from "./readiness.js";

/** /healthz (the process answers), /readyz (every named check) and /metrics (Prometheus text format). */
export function healthRoutes(deps: {
  metrics: OpsMetrics;
  checks: () => readonly ReadinessCheck[];
}): OpsRoute[] {
  return [
    { method: "GET", path: "/healthz", handle: () => ({ status: 200, body: "ok\n" }) },
    {
      method: "GET",
      path: "/readyz",
      handle: async () => {
        const r = await runChecks(deps.checks());
        return { status: r.ok ? 200 : 503, body: renderReadiness(r) };
      },
    },
    {
      method: "GET",
      path: "/metrics",
      handle: async () => ({
        status: 200,
        headers: { "content-type": deps.metrics.contentType },
        body: await deps.metrics.render(),
      }),
    },
  ];
}
