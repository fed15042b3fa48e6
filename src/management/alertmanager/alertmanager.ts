import type { ChatPort } from "../../chat/port.js";
import type { AlertmanagerConfig } from "../../config/ops-schema.js";
import type { Config } from "../../config/schema.js";
import { type Clock, parseDuration } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import type { OpsMetrics } from "../../lib/ops/metrics.js";
import type { Store } from "../../store/store.js";
import { authorizationFrom } from "../sources/prometheus/prometheus-api.js";
import { createAlertmanagerApi } from "./am-api.js";
import { createAmGroupMessages } from "./group-messages.js";
import { createAmGroupRepo } from "./group-repo.js";
import type { SuggestionCheck } from "./runbook-annotation.js";
import { type AlertmanagerService, createAlertmanagerService } from "./service.js";
import { type AmSilenceSync, createAmSilenceSync } from "./silence-sync.js";
import { type AlertmanagerWebhook, createAlertmanagerWebhook } from "./webhook.js";

/** Alertmanager in (the webhook) and out (silences, acks, Run buttons), over one store and one message per group. */
export interface Alertmanager {
  webhook: AlertmanagerWebhook;
  service: AlertmanagerService;
  /** Silence expiry and changes made in Alertmanager → the group's message (owner only: start/stop). */
  silenceSync: AmSilenceSync;
  /** alertmanager.api.interval in ms: how often the owner runs the silence sync. */
  syncIntervalMs: number;
}

export function createAlertmanager(deps: {
  config: Pick<Config, "alerts" | "channels"> & { alertmanager: AlertmanagerConfig };
  store: Store;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  metrics?: OpsMetrics;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** Whether `run` would take a suggested runbook now (orchestration's checks, wired by the core). */
  checkRun?: SuggestionCheck;
}): Alertmanager {
  const am = deps.config.alertmanager;
  const repo = createAmGroupRepo(deps.store);
  const messages = createAmGroupMessages({
    repo,
    chat: deps.chat,
    clock: deps.clock,
    logger: deps.logger,
    silences: am.api !== undefined,
    ...(deps.checkRun ? { checkRun: deps.checkRun } : {}),
  });
  const env = deps.env ?? process.env;
  const authorization = am.api ? authorizationFrom(am.api, env, "alertmanager.api") : undefined;
  const api = am.api
    ? createAlertmanagerApi({
        url: am.api.url,
        timeoutMs: parseDuration(am.api.timeout) ?? 10_000,
        ...(authorization === undefined ? {} : { authorization }),
        ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      })
    : undefined;
  return {
    webhook: createAlertmanagerWebhook({ ...deps, repo, messages }),
    silenceSync: createAmSilenceSync({ repo, messages, api, clock: deps.clock, logger: deps.logger }),
    syncIntervalMs: parseDuration(am.api?.interval ?? "1m") ?? 60_000,
    service: createAlertmanagerService({
      repo,
      messages,
      api,
      clock: deps.clock,
      logger: deps.logger,
      maxSilence: deps.config.alerts.max_silence,
    }),
  };
}
