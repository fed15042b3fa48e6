import { createRequire } from "node:module";
import type { Config, DeviceConfig } from "../../config/schema.js";
import type { Clock } from "../../lib/clock.js";
import { cronProblem } from "../../lib/cron.js";
import { ConfigError, OpsbotError } from "../../lib/errors.js";
import type { Logger } from "../../lib/logger.js";
import type { Redactor } from "../../lib/redact.js";
import { sshTargetFor } from "../../lib/ssh/target.js";
import type { SshRunner } from "../../lib/ssh/types.js";
import type { Store } from "../../store/store.js";
import { createCronScheduler, type Scheduler } from "../schedule.js";
import { createBackupRepo } from "./backup-repo.js";
import { BUILTIN_MASKS, compilePatterns, type NormalizeOptions, normalizeConfig } from "./normalize.js";
import type { BackupDiff, BackupOutcome, BackupService, BackupVersionInfo } from "./types.js";

/**
 * `diff` (19 modules) loads on the first backup diff, not with every process that builds the
 * backup service: `opsbot ask help` never compares configs. Synchronous, so diff() stays synchronous.
 */
const requireLazily = createRequire(import.meta.url);
let diffLib: typeof import("diff") | undefined;
const textDiff = (): typeof import("diff") => {
  diffLib ??= requireLazily("diff") as typeof import("diff");
  return diffLib;
};

/** A config larger than this is refused rather than stored truncated. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 120_000;

export interface BackupServiceOptions {
  ssh: SshRunner;
  store: Store;
  clock: Clock;
  logger: Logger;
  config: Pick<Config, "devices" | "backups"> & Partial<Pick<Config, "timezone">>;
  env?: NodeJS.ProcessEnv;
  redactor?: Redactor;
  scheduler?: Scheduler;
}

export interface ScheduledBackupService extends BackupService {
  /** Schedules every profile on its cron expression (default nightly 02:00). */
  start(): void;
  /** Stops scheduling and waits for backups already running. */
  stop(): Promise<void>;
  /** Re-reads `config.devices` (an inventory refresh changed it) and, when scheduled, reschedules. */
  reload(): void;
}

/**
 * Nightly config backups: run the profile's command over SSH, normalize (drop ignored lines, mask
 * secrets), and store a version only when the content hash differs from the newest one. A backup that
 * starts failing or recovers, and every new version after the first, writes a change-log row for the
 * alert engine; repeated failures only count up in backup_state.
 */
export function createBackupService(options: BackupServiceOptions): ScheduledBackupService {
  const { ssh, store, clock, logger, config } = options;
  const repo = createBackupRepo(store);
  const scheduler = options.scheduler ?? createCronScheduler(config.timezone);
  validateBackupSchedules(config);
  let profiled: DeviceConfig[] = [];
  let byName = new Map<string, DeviceConfig>();
  let normalizers = new Map<string, NormalizeOptions>();
  const load = () => {
    profiled = config.devices.filter((d) => d.backup && d.ssh);
    byName = new Map(profiled.map((d) => [d.name.toLowerCase(), d]));
    normalizers = new Map<string, NormalizeOptions>(
      profiled.map((d) => [
        d.name,
        {
          ignoreLines: compilePatterns(d.backup!.ignore_lines),
          masks: compilePatterns([...BUILTIN_MASKS, ...config.backups.mask, ...d.backup!.mask]),
          ...(options.redactor ? { redactor: options.redactor } : {}),
        },
      ]),
    );
  };
  load();
  const inFlight = new Map<string, Promise<BackupOutcome>>();
  let jobs: { stop(): void }[] = [];

  const lookup = (name: string): DeviceConfig => {
    const d = byName.get(name.toLowerCase());
    if (!d) {
      throw new OpsbotError("NOT_FOUND", `No backup profile for "${name}".`, {
        details: [`Devices with backups: ${profiled.map((p) => p.name).join(", ") || "none configured"}`],
      });
    }
    return d;
  };

  async function fetch(device: DeviceConfig): Promise<string> {
    const profile = device.backup!;
    const result = await ssh.exec(sshTargetFor(device, options.env), profile.command, {
      timeoutMs: profile.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      maxOutputBytes: MAX_CONFIG_BYTES,
    });
    if (result.timedOut) throw new Error(`"${profile.command}" timed out after ${result.durationMs} ms`);
    if (result.truncated) throw new Error(`"${profile.command}" printed more than ${MAX_CONFIG_BYTES} bytes`);
    if (result.exitCode !== 0) {
      const why = result.stderr.trim().split("\n").at(-1) ?? "";
      throw new Error(
        `"${profile.command}" exited with ${result.exitCode ?? result.signal}${why ? `: ${why}` : ""}`,
      );
    }
    if (result.stdout.trim() === "") throw new Error(`"${profile.command}" printed nothing`);
    return result.stdout;
  }

  async function backup(device: DeviceConfig): Promise<BackupOutcome> {
    let raw: string;
    try {
      raw = await fetch(device);
    } catch (err) {
      const error = err instanceof OpsbotError ? `${err.code}: ${err.message}` : (err as Error).message;
      recordFailure(device.name, error);
      logger.warn({ device: device.name, error }, "config backup failed");
      return { device: device.name, result: "failed", error };
    }
    const norm = normalizeConfig(raw, normalizers.get(device.name)!);
    const keep = device.backup!.keep ?? config.backups.keep;
    return store.tx(() => {
      const at = clock.now();
      const prevState = repo.state(device.name);
      const latest = repo.get(device.name, 0);
      if (prevState?.status === "failed") {
        repo.logChange({ at, device: device.name, kind: "backup", old: "failed", new: "ok", detail: {} });
      }
      const state = {
        device: device.name,
        status: "ok" as const,
        lastAttemptAt: at,
        lastSuccessAt: at,
        lastChangedAt: prevState?.lastChangedAt ?? null,
        lastError: null,
        consecutiveFailures: 0,
      };
      if (latest && latest.sha256 === norm.sha256) {
        repo.putState(state);
        return { device: device.name, result: "unchanged" as const, version: stripContent(latest) };
      }
      const id = repo.insert(device.name, { ...norm, takenAt: at });
      repo.prune(device.name, keep);
      repo.putState({ ...state, lastChangedAt: at });
      const version = repo.list(device.name)[0]!;
      const { added, removed } = latest
        ? countChanges(latest.content, norm.content)
        : { added: norm.lines, removed: 0 };
      if (latest) {
        repo.logChange({
          at,
          device: device.name,
          kind: "backup_changed",
          old: latest.sha256.slice(0, 12),
          new: norm.sha256.slice(0, 12),
          detail: { versionId: id, previousVersionId: latest.id, added, removed },
        });
      }
      return {
        device: device.name,
        result: latest ? ("changed" as const) : ("first" as const),
        version,
        added,
        removed,
      };
    });
  }

  function recordFailure(device: string, error: string): void {
    store.tx(() => {
      const at = clock.now();
      const prev = repo.state(device);
      if (prev?.status !== "failed") {
        repo.logChange({
          at,
          device,
          kind: "backup",
          old: prev ? "ok" : null,
          new: "failed",
          detail: { error },
        });
      }
      repo.putState({
        device,
        status: "failed",
        lastAttemptAt: at,
        lastSuccessAt: prev?.lastSuccessAt ?? null,
        lastChangedAt: prev?.lastChangedAt ?? null,
        lastError: error,
        consecutiveFailures: (prev?.consecutiveFailures ?? 0) + 1,
      });
    });
  }

  function runNow(name: string): Promise<BackupOutcome> {
    const device = lookup(name);
    const running = inFlight.get(device.name);
    if (running) return running;
    const p = backup(device).finally(() => inFlight.delete(device.name));
    inFlight.set(device.name, p);
    return p;
  }

  function diff(name: string, back = 1): BackupDiff | undefined {
    const device = lookup(name).name;
    const to = repo.get(device, 0);
    const from = repo.get(device, back);
    if (!to || !from) return undefined;
    const stamp = (v: BackupVersionInfo) => new Date(v.takenAt).toISOString();
    const patch =
      from.sha256 === to.sha256
        ? ""
        : textDiff().createTwoFilesPatch(
            `${device}@${back}`,
            `${device}@0`,
            from.content,
            to.content,
            stamp(from),
            stamp(to),
          );
    return {
      device,
      from: stripContent(from),
      to: stripContent(to),
      patch,
      ...countChanges(from.content, to.content),
    };
  }

  return {
    devices: () => profiled.map((d) => d.name),
    resolve: (name) => byName.get(name.toLowerCase())?.name,
    runNow,
    versions: (name) => repo.list(lookup(name).name),
    state: (name) => repo.state(lookup(name).name),
    diff,
    start() {
      if (jobs.length > 0) return;
      jobs = profiled.map((d) =>
        scheduler.schedule(d.backup!.schedule ?? config.backups.schedule, () => {
          runNow(d.name).catch((err: unknown) => logger.error({ device: d.name, err }, "backup failed"));
        }),
      );
      logger.info({ devices: profiled.length }, "config backups scheduled");
    },
    async stop() {
      for (const j of jobs) j.stop();
      jobs = [];
      await Promise.allSettled([...inFlight.values()]);
    },
    reload() {
      load();
      if (jobs.length === 0) return;
      for (const j of jobs) j.stop();
      jobs = [];
      this.start();
    },
  };
}

/** Names the key of every bad backup schedule at once. */
export function validateBackupSchedules(config: Pick<Config, "devices" | "backups">): void {
  const problems: string[] = [];
  const bad = cronProblem(config.backups.schedule);
  if (bad) problems.push(`backups.schedule: ${bad} (e.g. "0 2 * * *")`);
  config.devices.forEach((d, i) => {
    const expr = d.backup?.schedule;
    const problem = expr === undefined ? undefined : cronProblem(expr);
    if (problem) problems.push(`devices[${i}].backup.schedule (${d.name}): ${problem}`);
  });
  if (problems.length > 0) throw new ConfigError("A backup schedule in the config is invalid.", problems);
}

function stripContent<T extends BackupVersionInfo>(v: T): BackupVersionInfo {
  const { id, device, back, takenAt, sha256, sizeBytes, lines } = v;
  return { id, device, back, takenAt, sha256, sizeBytes, lines };
}

function countChanges(from: string, to: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const part of textDiff().diffLines(from, to)) {
    if (part.added) added += part.count ?? 0;
    if (part.removed) removed += part.count ?? 0;
  }
  return { added, removed };
}
