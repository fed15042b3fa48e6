import { timingSafeEqual } from "node:crypto";
import type { AlertmanagerConfig } from "../../config/ops-schema.js";
import type { Config } from "../../config/schema.js";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import type { OpsRequest, OpsResponse, OpsRoute } from "../../lib/ops/http.js";
import type { OpsMetrics } from "../../lib/ops/metrics.js";
import { globMatcher } from "../alerts/rules.js";
import type { AmGroupMessages } from "./group-messages.js";
import type { AmGroupRepo } from "./group-repo.js";
import { parseWebhook } from "./payload.js";

/**
 * `POST /webhooks/alertmanager`: authenticated (bearer or basic, from env), validated (payload v4), stored
 * durably, answered 200 — then the group's one message is posted or updated from the stored state.
 * Rejections (401/400) are logged and store nothing.
 */
export interface AlertmanagerWebhook {
  route: OpsRoute;
  /** Resolves when every delivery started so far has reached the chat port (tests, shutdown). */
  idle(): Promise<void>;
}

export interface AlertmanagerWebhookDeps {
  config: Pick<Config, "alerts" | "channels"> & { alertmanager: AlertmanagerConfig };
  repo: AmGroupRepo;
  messages: AmGroupMessages;
  clock: Clock;
  logger: Logger;
  metrics?: OpsMetrics;
  env?: NodeJS.ProcessEnv;
}

export function createAlertmanagerWebhook(deps: AlertmanagerWebhookDeps): AlertmanagerWebhook {
  const { clock, logger } = deps;
  const am = deps.config.alertmanager;
  const env = deps.env ?? process.env;
  const repo = deps.repo;
  const count = (outcome: string) => deps.metrics?.webhooks.inc({ receiver: "alertmanager", outcome });

  const expected = (): string | undefined => {
    if (am.bearer_token_env) {
      const t = env[am.bearer_token_env];
      return t ? `Bearer ${t}` : undefined;
    }
    if (am.basic_auth) {
      const p = env[am.basic_auth.password_env];
      return p === undefined
        ? undefined
        : `Basic ${Buffer.from(`${am.basic_auth.username}:${p}`).toString("base64")}`;
    }
    return undefined;
  };

  const authorized = (header: string | undefined): boolean => {
    const want = expected();
    if (!want || !header) return false;
    const a = Buffer.from(header);
    const b = Buffer.from(want);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const channel = (labels: Record<string, string>): string => {
    const a = deps.config.alerts;
    const device = labels.device ?? labels.instance ?? "";
    const hit = a.routes.find(
      (r) =>
        r.rules.length === 0 &&
        r.tags.length === 0 &&
        (r.sites.length === 0 || r.sites.includes(labels.site ?? "")) &&
        (r.severities.length === 0 || r.severities.includes(labels.severity as never)) &&
        (r.devices.length === 0 || r.devices.some((g) => globMatcher(g).test(device))),
    );
    const name = hit?.channel ?? am.channel ?? a.default_channel;
    return deps.config.channels[name] ?? name;
  };

  async function handle(req: OpsRequest): Promise<OpsResponse> {
    const auth = req.headers.authorization;
    if (!authorized(Array.isArray(auth) ? auth[0] : auth)) {
      count("unauthorized");
      logger.warn(
        { remote: req.headers["x-forwarded-for"] ?? "direct" },
        "Alertmanager webhook refused: missing or wrong credentials",
      );
      return { status: 401, headers: { "www-authenticate": "Bearer" }, body: "unauthorized\n" };
    }
    const parsed = parseWebhook(req.body);
    if (!parsed.ok) {
      count("malformed");
      logger.warn({ problems: parsed.problems }, "Alertmanager webhook refused: malformed body");
      return {
        status: 400,
        body: `malformed Alertmanager webhook (version 4 expected):\n${parsed.problems.join("\n")}\n`,
      };
    }
    const p = parsed.value;
    repo.merge(p, channel(p.commonLabels), clock.now());
    count("accepted");
    void deps.messages.refresh(p.groupKey);
    return { status: 200, body: "ok\n" };
  }

  return {
    route: { method: "POST", path: "/webhooks/alertmanager", handle },
    idle: () => deps.messages.idle(),
  };
}
