import type { OpsConfig } from "../config/ops-schema.js";
import type { Logger } from "../lib/logger.js";
import { createOpsServer, type OpsHandler, type OpsRoute, opsHandler } from "../lib/ops/http.js";
import type { OpsMetrics } from "../lib/ops/metrics.js";
import type { ReadinessCheck } from "../lib/ops/readiness.js";
import { healthRoutes } from "../lib/ops/routes.js";

/**
 * The ops listener as one part with start/stop (it slots into the core's ordered start-up): health,
 * readiness and metrics routes plus whatever webhooks are added. `handler` lets Slack's HTTP mode
 * serve the same routes on its own port.
 */
export interface OpsPart {
  readonly handler: OpsHandler;
  addRoutes(routes: readonly OpsRoute[]): void;
  addChecks(checks: readonly ReadinessCheck[]): void;
  /** Listens (unless disabled); resolves with the bound port. */
  start(): Promise<number | undefined>;
  /** The bound port while listening. */
  port(): number | undefined;
  stop(): Promise<void>;
}

export function createOpsPart(deps: { config: OpsConfig; metrics: OpsMetrics; logger: Logger }): OpsPart {
  const checks: ReadinessCheck[] = [];
  const routes: OpsRoute[] = [...healthRoutes({ metrics: deps.metrics, checks: () => checks })];
  const handler = opsHandler(() => routes, deps.logger);
  const server = createOpsServer({
    host: deps.config.host,
    port: deps.config.port,
    handler,
    logger: deps.logger,
  });
  let listening: number | undefined;
  return {
    handler,
    addRoutes: (r) => routes.push(...r),
    addChecks: (c) => checks.push(...c),
    async start() {
      if (!deps.config.enabled || listening !== undefined) return undefined;
      try {
        listening = await server.start();
        return listening;
      } catch (err) {
        // The bot keeps running without its ops endpoints rather than not at all; the log says why.
        const { host, port } = deps.config;
        deps.logger.error(
          { err, host, port },
          `ops listener could not listen on ${host}:${port} (${(err as Error).message}): set ops.port (0 = any free port) or ops.enabled: false in opsbot.yaml`,
        );
        return undefined;
      }
    },
    port: () => listening,
    async stop() {
      listening = undefined;
      await server.stop();
    },
  };
}
