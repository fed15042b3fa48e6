import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import type { AlertmanagerApi, AmListedSilence } from "./am-api.js";
import type { AmGroupMessages } from "./group-messages.js";
import type { AmGroupRepo, AmSilence, AmSilenceEnd } from "./group-repo.js";

/**
 * Keeps each group's message true to its silence without waiting for the next delivery: on the owner's
 * schedule it reads the groups whose silence from opsbot has not ended yet and, when there are any, one
 * `GET /api/v2/silences`. A silence whose end passed, that someone expired in Alertmanager, or that
 * Alertmanager no longer has is recorded as ended — once (a conditional UPDATE) — and the message is
 * re-rendered; a silence extended or shortened in Alertmanager moves its shown end. With Alertmanager
 * unreachable the recorded end time still decides, so an expiry is never missed.
 */
export interface AmSilenceSync {
  /** One pass started after the call; resolves with what it changed (tests call it with a manual clock). */
  sync(): Promise<AmSyncResult>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export interface AmSyncResult {
  checked: number;
  ended: number;
  moved: number;
  /** Why Alertmanager could not be read this pass (the recorded end times decided), or null. */
  error: string | null;
}

export type SilenceVerdict =
  | { kind: "holds" }
  | { kind: "moved"; until: number }
  | { kind: "ended"; at: number; how: AmSilenceEnd };

/** An end more than this before the recorded one was someone expiring it in Alertmanager. */
const EARLY_MS = 1000;

/**
 * What became of one silence. `listed` is Alertmanager's list by id, or undefined when it could not be
 * read (or no API is configured): then only the recorded end time can end it.
 */
export function judgeSilence(
  s: AmSilence,
  listed: ReadonlyMap<string, AmListedSilence> | undefined,
  now: number,
): SilenceVerdict {
  if (!listed) return s.until <= now ? { kind: "ended", at: s.until, how: "expired" } : { kind: "holds" };
  const x = listed.get(s.id);
  // Alertmanager forgets expired silences after its retention: gone after its end is a plain expiry.
  if (!x)
    return s.until <= now
      ? { kind: "ended", at: s.until, how: "expired" }
      : { kind: "ended", at: now, how: "gone" };
  if (x.state === "expired" || x.endsAt <= now)
    return {
      kind: "ended",
      at: x.endsAt,
      how: x.endsAt < s.until - EARLY_MS ? "expired_in_am" : "expired",
    };
  return x.endsAt === s.until ? { kind: "holds" } : { kind: "moved", until: x.endsAt };
}

export function createAmSilenceSync(deps: {
  repo: AmGroupRepo;
  messages: AmGroupMessages;
  api: AlertmanagerApi | undefined;
  clock: Clock;
  logger: Logger;
}): AmSilenceSync {
  const { repo, messages, clock, logger } = deps;
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<AmSyncResult> | undefined;
  let lastError: string | null = null;

  async function pass(): Promise<AmSyncResult> {
    // Read before asking Alertmanager: a silence recorded after this read is not judged against a
    // list fetched before Alertmanager created it.
    const open = repo.openSilences();
    const result: AmSyncResult = { checked: open.length, ended: 0, moved: 0, error: null };
    if (open.length === 0) return result;
    let listed: Map<string, AmListedSilence> | undefined;
    if (deps.api) {
      try {
        listed = new Map((await deps.api.listSilences()).map((x) => [x.id, x]));
      } catch (err) {
        result.error = (err as Error).message;
      }
    }
    if (result.error !== lastError) {
      if (result.error)
        logger.warn({ err: result.error }, "Alertmanager silences not readable; recorded end times decide");
      else logger.info("Alertmanager silences readable again");
      lastError = result.error;
    }
    const now = clock.now();
    const refresh: string[] = [];
    for (const g of open) {
      const s = g.silence!;
      const v = judgeSilence(s, listed, now);
      if (v.kind === "ended" && repo.silenceEnded(g.id, s.id, v.at, v.how)) {
        result.ended++;
        refresh.push(g.groupKey);
        logger.info({ group: g.groupKey, silenceId: s.id, how: v.how }, "Alertmanager silence ended");
      } else if (v.kind === "moved" && repo.silenceMoved(g.id, s.id, v.until)) {
        result.moved++;
        refresh.push(g.groupKey);
      }
    }
    await Promise.all(refresh.map((k) => messages.refresh(k)));
    return result;
  }

  const once = (): Promise<AmSyncResult> => {
    running = pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  /** A pass that starts after this call: one under way is waited for first, never reported as this one. */
  async function sync(): Promise<AmSyncResult> {
    if (running) await running.catch(() => undefined);
    return running ?? once();
  }

  return {
    sync,
    start(intervalMs) {
      // A tick while a pass is under way (a slow Alertmanager) is skipped, never queued behind it.
      const tick = () => {
        if (!running)
          void once().catch((err: unknown) => logger.warn({ err }, "Alertmanager silence sync failed"));
      };
      timer = setInterval(tick, intervalMs);
      timer.unref?.();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}
