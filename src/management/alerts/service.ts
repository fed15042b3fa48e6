import type { Block, Reply } from "../../chat/reply.js";
import { suggest } from "../../chat/suggest.js";
import { RULE_NAMES } from "../../config/alerts-schema.js";
import type { ChatUser } from "../../lib/actor.js";
import { formatDuration, parseDuration } from "../../lib/clock.js";
import { scheduleCron } from "../../lib/cron.js";
import { ConflictError, NotFoundError, UsageError } from "../../lib/errors.js";
import { isStoreFault } from "../../store/faults.js";
import type { Silence } from "./alert-repo.js";
import { acknowledge } from "./decide.js";
import { renderDigest } from "./digest.js";
import { type AlertEngine, type AlertEngineDeps, createAlertEngine, type PassResult } from "./engine.js";
import { objectLabel } from "./render.js";
import { runbookParams } from "./rules.js";
import { ACTIVE_STATUSES, type Alert, type RuleName } from "./types.js";

/** What commands and buttons may do with alerts (Services.alerts). */
export interface AlertService {
  /** Open alerts (pending, firing, flapping), optionally of one device or tag. */
  list(filter?: string): Alert[];
  get(id: number): Alert | undefined;
  ack(id: number, user: ChatUser): Promise<Alert>;
  /** The Ack button: every open alert of a message. */
  ackGroup(groupId: number, user: ChatUser): Promise<Alert[]>;
  /** Longer than `alerts.max_silence` only with `force`; an unknown device or tag is refused. */
  silence(input: {
    target: string;
    duration: string;
    reason: string;
    user: ChatUser;
    force?: boolean;
  }): Promise<Silence>;
  silences(): Silence[];
  unsilence(id: number, user: ChatUser): Promise<Silence>;
  /** The runbook a rule suggests for an alert, with {device}/{object} filled in. */
  suggestedRun(
    alertId: number,
  ): { alert: Alert; runbook: string; params: Record<string, string> } | undefined;
  digest(): Reply;
  process(): Promise<PassResult>;
}

export interface ScheduledAlertService extends AlertService {
  engine: AlertEngine;
  /** Processes on an interval and schedules the daily digest. */
  start(): void;
  stop(): Promise<void>;
}

export interface AlertServiceDeps extends AlertEngineDeps {
  /** More sections of the daily digest (Alertmanager's firing groups), rendered when it is posted. */
  digestSections?: () => Block[];
}

export function createAlertService(deps: AlertServiceDeps): ScheduledAlertService {
  const engine = createAlertEngine(deps);
  const { repo, context } = engine;
  const { config, clock } = deps;
  let timer: NodeJS.Timeout | undefined;
  let digestTask: { stop(): void } | undefined;

  const find = (id: number): Alert => {
    const a = repo.byId(id);
    if (!a) throw new NotFoundError(`No alert #${id}. \`alerts\` lists the open ones.`);
    return a;
  };

  const service: ScheduledAlertService = {
    engine,
    list(filter) {
      const all = engine.activeAlerts().filter((a) => ACTIVE_STATUSES.includes(a.status));
      const sorted = all.sort((x, y) => x.id - y.id);
      if (!filter) return sorted;
      const f = filter.toLowerCase();
      return sorted.filter((a) => {
        const facts = context.facts(a.device);
        return (
          a.device.toLowerCase() === f ||
          facts.tags.some((t) => t.toLowerCase() === f) ||
          facts.site?.toLowerCase() === f
        );
      });
    },
    get: (id) => repo.byId(id),
    async ack(id, user) {
      const { result } = await engine.mutate((save) => {
        const a = find(id);
        if (a.status === "resolved")
          throw new ConflictError(`Alert #${id} already recovered; nothing to ack.`);
        if (a.ackedBy !== null) throw new ConflictError(`Alert #${id} was already acked by ${a.ackedBy}.`);
        const acked = acknowledge(a, user.name, clock.now());
        save(acked, `👍 ${objectLabel(a)} acked by ${user.name}.`);
        return acked;
      });
      return result;
    },
    async ackGroup(groupId, user) {
      const { result } = await engine.mutate((save) => {
        const open = repo
          .members(groupId)
          .filter((a) => a.status !== "resolved" && a.notified && a.ackedBy === null);
        if (open.length === 0) throw new ConflictError("Nothing left to ack in that message.");
        const acked = open.map((a) => acknowledge(a, user.name, clock.now()));
        for (const [i, a] of acked.entries()) save(a, i === 0 ? `👍 Acked by ${user.name}.` : undefined);
        return acked;
      });
      return result;
    },
    async silence({ target, duration, reason, user, force }) {
      const ms = parseDuration(duration);
      if (ms === undefined || ms <= 0)
        throw new UsageError(`"${duration}" is not a duration; use e.g. 30m, 2h or 1d.`);
      const max = parseDuration(config.alerts.max_silence) ?? 7 * 86_400_000;
      if (ms > max && !force)
        throw new UsageError(
          `A silence of ${formatDuration(ms)} is longer than alerts.max_silence (${config.alerts.max_silence}): a forgotten silence hides real alerts.`,
          ["Add `--force` if you mean it, or pick a shorter duration."],
        );
      const resolved = resolveTarget(target);
      const now = clock.now();
      const { result } = await engine.mutate(() => {
        const fields = { ...resolved, reason: reason || "no reason given", createdBy: user.name };
        const id = repo.addSilence({ ...fields, createdAt: now, expiresAt: now + ms });
        return { id, ...fields, createdAt: now, expiresAt: now + ms };
      });
      return result;
    },
    silences: () => repo.silences(clock.now()),
    async unsilence(id, user) {
      const { result } = await engine.mutate(() => {
        const s = repo.silence(id);
        if (!s) throw new NotFoundError(`No silence #${id}. \`silences\` lists them.`);
        if (s.removedAt !== null || s.expiresAt <= clock.now() || !repo.unsilence(id, user.name, clock.now()))
          throw new ConflictError(`Silence #${id} is no longer active.`);
        return s;
      });
      return result;
    },
    suggestedRun(alertId) {
      const a = repo.byId(alertId);
      const rb = a ? context.rules[a.rule].runbook : undefined;
      if (!a || !rb) return undefined;
      return { alert: a, runbook: rb.name, params: runbookParams(rb.params, a) };
    },
    digest: () => {
      const digest = renderDigest(
        service.list(),
        repo.resolvedSince(clock.now() - 86_400_000),
        repo.silences(clock.now()),
        clock.now(),
      );
      const more = deps.digestSections?.() ?? [];
      return more.length === 0 ? digest : { ...digest, blocks: [...digest.blocks, ...more] };
    },
    process: () => engine.process(),
    start() {
      if (!config.alerts.enabled) return;
      const every = parseDuration(config.alerts.interval) ?? 15_000;
      const run = () =>
        // A pass that writes nothing proves nothing about the store: recovery is told by the writers
        // that hold data (audit, run output, polls), not here.
        void engine.process().catch((err: unknown) => {
          if (isStoreFault(err)) deps.health?.fault(err, "alert pass");
          deps.logger.warn({ err }, "alert pass failed");
        });
      timer = setInterval(run, every);
      timer.unref?.();
      run();
      const d = config.alerts.digest;
      if (d) {
        digestTask = scheduleCron(
          d.schedule,
          () => {
            const channel = config.channels[d.channel] ?? d.channel;
            void deps.chat
              .post(channel, service.digest())
              .catch((err: unknown) => deps.logger.warn({ err }, "alert digest not delivered"));
          },
          { name: "alert digest", timezone: config.timezone },
        );
      }
    },
    async stop() {
      if (timer) clearInterval(timer);
      digestTask?.stop();
      await engine.serialized(() => undefined);
    },
  };

  /** "tag:core", "rule:port_down", "device:sw1", or a bare device, tag or rule name (in that order). */
  function resolveTarget(target: string): { targetKind: Silence["targetKind"]; target: string } {
    const names = config.devices.map((d) => d.name);
    const tags = [...new Set(config.devices.flatMap((d) => d.tags))];
    const find = (list: string[], word: string) => list.find((n) => n.toLowerCase() === word.toLowerCase());
    // A silence over a name nothing carries would read as accepted and hide nothing: refuse it.
    const unknown = (what: string, word: string, candidates: string[]) => {
      const close = suggest(word, candidates);
      return new NotFoundError(
        `No ${what} named "${word}".`,
        close.length > 0
          ? [`Did you mean ${close.join(", ")}?`]
          : [`Use device:NAME, tag:NAME or rule:NAME (rules: ${RULE_NAMES.join(", ")}).`],
      );
    };
    const pair = /^device_rule:([^:]+):([^:]+)$/i.exec(target);
    if (pair) {
      const device = config.devices.find((d) => d.name.toLowerCase() === pair[1]!.toLowerCase());
      if (!device) throw unknown("device", pair[1]!, names);
      if (!RULE_NAMES.includes(pair[2] as RuleName))
        throw new UsageError(`No rule "${pair[2]}". Rules: ${RULE_NAMES.join(", ")}.`);
      return { targetKind: "device_rule", target: `${device.name}:${pair[2]}` };
    }
    const m = /^(device|tag|rule):(.+)$/i.exec(target);
    if (m) {
      const kind = m[1]!.toLowerCase() as Silence["targetKind"];
      const word = m[2]!;
      if (kind === "rule") {
        if (!RULE_NAMES.includes(word as RuleName)) throw unknown("rule", word, [...RULE_NAMES]);
        return { targetKind: kind, target: word };
      }
      const found = find(kind === "device" ? names : tags, word);
      if (!found) throw unknown(kind, word, kind === "device" ? names : tags);
      return { targetKind: kind, target: found };
    }
    const device = find(names, target);
    if (device) return { targetKind: "device", target: device };
    const tag = find(tags, target);
    if (tag) return { targetKind: "tag", target: tag };
    if (RULE_NAMES.includes(target as RuleName)) return { targetKind: "rule", target };
    throw unknown("device, tag or rule", target, [...names, ...tags, ...RULE_NAMES]);
  }

  return service;
}
