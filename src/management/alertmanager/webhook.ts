import { timingSafeEqual } from "node:crypto";
import type { ChatPort } from "../../chat/port.js";
import type { AlertmanagerConfig } from "../../config/ops-schema.js";
import type { Config } from "../../config/schema.js";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import type { OpsRequest, OpsResponse, OpsRoute } from "../../lib/ops/http.js";
import type { OpsMetrics } from "../../lib/ops/metrics.js";
import type { Store } from "../../store/store.js";
import { globMatcher } from "../alerts/rules.js";
import { createAmGroupRepo } from "./group-repo.js";
import { parseWebhook } from "./payload.js";
import { renderAmGroup, replyHash } from "./render.js";

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
  store: Store;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  metrics?: OpsMetrics;
  env?: NodeJS.ProcessEnv;
}

export function createAlertmanagerWebhook(deps: AlertmanagerWebhookDeps): AlertmanagerWebhook {
  const { store, chat, clock, logger } = deps;
  const am = deps.config.alertmanager;
  const env = deps.env ?? process.env;
  const repo = createAmGroupRepo(store);
  const chains = new Map<string, Promise<void>>();
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

  async function deliver(groupKey: string): Promise<void> {
    const g = repo.get(groupKey);
    if (!g) return;
    const r = renderAmGroup(g);
    const hash = replyHash(r);
    if (hash === g.shownHash) return; // a redelivery of what is already shown
    if (g.ts === null) {
      const ref = await chat.post(g.channel, r);
      repo.shown(groupKey, ref.ts, hash);
    } else {
      await chat.update({ channel: g.channel, ts: g.ts }, r);
      repo.shown(groupKey, g.ts, hash);
    }
  }

  /** One delivery at a time per group, so two quick redeliveries never post two messages. */
  function schedule(groupKey: string): void {
    const next = (chains.get(groupKey) ?? Promise.resolve())
      .then(() => deliver(groupKey))
      .catch((err: unknown) =>
        logger.warn({ err, groupKey }, "Alertmanager group message not delivered; the next delivery retries"),
      );
    chains.set(groupKey, next);
    void next.finally(() => {
      if (chains.get(groupKey) === next) chains.delete(groupKey);
    });
  }

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
    schedule(p.groupKey);
    return { status: 200, body: "ok\n" };
  }

  return {
    route: { method: "POST", path: "/webhooks/alertmanager", handle },
    async idle() {
      while (chains.size > 0) await Promise.allSettled([...chains.values()]);
    },
  };
}
