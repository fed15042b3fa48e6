import type { ChatPort } from "../../chat/port.js";
import { type Block, type Reply, text } from "../../chat/reply.js";
import type { Config } from "../../config/schema.js";
import { type Clock, formatDuration } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import type { Redactor } from "../../lib/redact.js";
import type { StoreHealth } from "../../store/faults.js";
import type { Store } from "../../store/store.js";
import { readChanges } from "../change-log.js";
import type { AlertCharts } from "./alert-chart.js";
import { type AlertGroup, type AlertRepo, createAlertRepo } from "./alert-repo.js";
import { classify } from "./classify.js";
import { type AlertContext, createAlertContext } from "./context.js";
import { applyEvent, type DecideContext, tick } from "./decide.js";
import { createErrorSampler, errorRateEvent } from "./error-rate.js";
import { type DeviceVersion, firmwareLevelEvents } from "./firmware-level.js";
import { objectLabel, renderGroup } from "./render.js";
import { type Alert, alertKey, type Effect } from "./types.js";

const CONSUMER = "alerts";
/** Not a change-log id: the newest interface poll time already sampled for error rates. */
const SAMPLES = "alerts:error-samples";
const HISTORY_MS = 3_600_000;

export interface AlertEngineDeps {
  store: Store;
  clock: Clock;
  chat: ChatPort;
  config: Config;
  logger: Logger;
  /** Applied to every message before it leaves (backup errors and device strings may carry secrets). */
  redactor?: Redactor;
  /** Change-log rows read per batch (each batch is one transaction with the cursor). */
  batchSize?: number;
  /** Called after a pass that changed alerts or their messages (the App Home re-renders). */
  onChange?: () => void;
  /** A chart for a new alert's thread (port-down, error-rate), posted once after its message. */
  charts?: AlertCharts;
  /**
   * Told when a pass fails on a store fault (disk full, lock, I/O, read-only): nothing is lost
   * meanwhile — the change-log cursor only moves in a committed pass, and the next pass retries.
   */
  health?: StoreHealth;
}

/** Charts posted under one new message at most: a switch losing 40 ports gets 3, not 40. */
const MAX_CHARTS_PER_MESSAGE = 3;

export interface PassResult {
  changes: number;
  effects: number;
  posts: number;
  updates: number;
}

export type AlertEngine = ReturnType<typeof createAlertEngine>;

/**
 * The edge around the pure core: reads the change log after its cursor, asks `applyEvent`/`tick` what
 * to do, stores alerts, groups, notes and the cursor in one transaction, then renders dirty groups and
 * posts notes through the chat port. Passes are serialized; a failed chat call leaves the group dirty and
 * the next pass retries it.
 */
export function createAlertEngine(deps: AlertEngineDeps) {
  const { store, clock, chat, logger } = deps;
  const repo = createAlertRepo(store);
  const ctx = createAlertContext(deps.config, store);
  const batchSize = deps.batchSize ?? 5000;
  const sampler = createErrorSampler(store, ctx.classify);
  const versions = store.db.prepare(
    `SELECT name AS device, model, software_rev AS softwareRev, firmware_rev AS firmwareRev
       FROM device_state WHERE model IS NOT NULL`,
  );
  /** Open alerts by key: the working set, reloaded from the store at start. */
  const active = new Map<string, Alert>();
  /**
   * Only a process that runs passes delivers: a one-shot `opsbot ask "ack 3"` writes the ack and marks the
   * message dirty, and the running bot's next pass renders it (and never loses the change-log cursor to it).
   */
  let owner = false;
  let chain: Promise<unknown> = Promise.resolve();

  function decideBatch(
    now: number,
    d: DecideContext,
  ): { changes: number; staged: Map<string, Alert>; effects: Effect[] } {
    const after = repo.cursor(CONSUMER);
    const changes = readChanges(store, { afterId: after, limit: batchSize });
    const staged = new Map<string, Alert>();
    const effects: Effect[] = [];
    const current = (key: string) => staged.get(key) ?? active.get(key) ?? repo.byKey(key);
    for (const c of changes) {
      try {
        for (const ev of classify(c, ctx.classify)) {
          const r = applyEvent(current(ev.key), ev, now, d);
          if (r.changed && r.alert) staged.set(r.alert.key, r.alert);
          effects.push(...r.effects);
        }
      } catch (err) {
        // One malformed row must not stall the log behind it: skip it, loudly.
        logger.error({ err, change: c.id }, "change-log row skipped by the alert engine");
      }
    }
    if (ctx.rules.firmware_drift.enabled) {
      for (const ev of firmwareLevelEvents(
        versions.all() as DeviceVersion[],
        deps.config.firmware_baselines,
        current,
        now,
      )) {
        const r = applyEvent(current(ev.key), ev, now, d);
        if (r.changed && r.alert) staged.set(r.alert.key, r.alert);
        effects.push(...r.effects);
      }
    }
    const sampledUpTo = repo.cursor(SAMPLES);
    const samples = ctx.rules.error_rate.enabled ? sampler.read(sampledUpTo) : [];
    for (const { cur, prev } of samples) {
      const existing = current(alertKey(cur.device, "error_rate", cur.port));
      const open = existing !== undefined && existing.status !== "resolved";
      const ev = errorRateEvent(prev, cur, open, ctx.rules.error_rate);
      if (!ev) continue;
      const r = applyEvent(current(ev.key), ev, now, d);
      if (r.changed && r.alert) staged.set(r.alert.key, r.alert);
      effects.push(...r.effects);
    }
    for (const a of active.values()) {
      const r = tick(staged.get(a.key) ?? a, now, d);
      if (r.changed && r.alert) staged.set(r.alert.key, r.alert);
      effects.push(...r.effects);
    }
    const last = changes.at(-1)?.id ?? after;
    store.tx(() => {
      commit(staged, effects, now);
      repo.setCursor(CONSUMER, last);
      if (samples.length > 0) {
        sampler.save(samples.map((x) => x.cur));
        repo.setCursor(
          SAMPLES,
          samples.reduce((m, x) => Math.max(m, x.cur.at), sampledUpTo),
        );
      }
    });
    return { changes: changes.length, staged, effects };
  }

  /** Stores alerts and turns effects into group membership, dirty flags and thread notes. */
  function commit(staged: Map<string, Alert>, effects: Effect[], now: number): void {
    const ids = new Map<string, number>();
    const save = (a: Alert) => {
      const id = repo.save(a);
      const stored = { ...a, id };
      staged.set(a.key, stored);
      ids.set(a.key, id);
      if (stored.status === "resolved") active.delete(a.key);
      else active.set(a.key, stored);
      return stored;
    };
    for (const a of staged.values()) {
      // A silence or window starting or ending changes what the message shows (and its buttons).
      const before = active.get(a.key);
      if (before && before.suppressed !== a.suppressed && a.groupId !== null) repo.markDirty(a.groupId);
      save(a);
    }
    for (const e of effects) {
      let a = staged.get(e.alert.key) ?? e.alert;
      if (e.type === "announce") {
        const groupId = joinGroup(a, now);
        if (a.groupId !== groupId) a = save({ ...a, groupId });
        if (e.reason === "flapping")
          note(a, `⚠️ ${objectLabel(a)} is flapping (${a.transitions.length} changes).`);
        if (e.reason === "worse") note(a, `${objectLabel(a)} got worse: ${a.value}.`);
        continue;
      }
      if (a.groupId === null) continue;
      repo.markDirty(a.groupId);
      if (e.type === "recovered")
        note(a, `✅ ${objectLabel(a)} recovered after ${formatDuration(e.afterMs)} (was ${a.value}).`);
      if (e.type === "renotify")
        note(a, `🔁 Still ${a.value}: ${objectLabel(a)}, for ${formatDuration(now - a.since)}.`);
      if (e.type === "settled") note(a, `${objectLabel(a)} stopped flapping and is ${a.value}.`);
    }
  }

  function joinGroup(a: Alert, now: number): number {
    const existing = a.groupId !== null ? repo.group(a.groupId) : undefined;
    const open = existing && existing.closedAt === null ? existing : repo.openGroup(a.device, a.rule);
    const id = open?.id ?? repo.addGroup(a.device, a.rule, ctx.route(a), now);
    repo.markDirty(id);
    return id;
  }

  function note(a: Alert, body: string): void {
    if (a.groupId !== null) repo.addNote(a.groupId, body);
  }

  /**
   * Renders every dirty group and posts pending notes. Channels are delivered in parallel (Slack paces
   * each channel separately); within a channel in order, so a thread note follows its message.
   */
  async function flush(): Promise<{ posts: number; updates: number }> {
    const counts = { posts: 0, updates: 0 };
    const now = clock.now();
    const byChannel = new Map<
      string,
      { groups: AlertGroup[]; notes: { id: number; groupId: number; text: string }[] }
    >();
    const bucket = (channel: string) => {
      let b = byChannel.get(channel);
      if (!b) {
        b = { groups: [], notes: [] };
        byChannel.set(channel, b);
      }
      return b;
    };
    for (const g of repo.dirtyGroups()) bucket(g.channel).groups.push(g);
    const channelOf = new Map<number, string>();
    for (const n of repo.unpostedNotes()) {
      let channel = channelOf.get(n.groupId);
      if (channel === undefined) {
        channel = repo.group(n.groupId)?.channel ?? "";
        channelOf.set(n.groupId, channel);
      }
      bucket(channel).notes.push(n);
    }
    await Promise.all([...byChannel.values()].map((b) => deliver(b.groups, b.notes, now, counts)));
    return counts;
  }

  async function deliver(
    groups: AlertGroup[],
    notes: { id: number; groupId: number; text: string }[],
    now: number,
    counts: { posts: number; updates: number },
  ): Promise<void> {
    for (const g of groups) {
      const members = repo.members(g.id);
      // What the message is about (device, ports, who acked) is a name, never redacted.
      const names = [g.device, ...members.flatMap((m) => [m.device, m.object, m.ackedBy ?? ""])];
      const reply = redact(renderGroup(g, members, ctx.rules[g.rule], now), names);
      const closed = members.every((m) => m.status === "resolved") ? now : null;
      try {
        let ts = g.ts;
        if (ts === null) {
          ts = (await chat.post(g.channel, reply)).ts;
          counts.posts++;
          repo.rendered(g.id, ts, closed);
          await postCharts(g.channel, ts, members);
        } else {
          await chat.update({ channel: g.channel, ts }, reply);
          counts.updates++;
        }
        repo.rendered(g.id, ts, closed);
      } catch (err) {
        logger.warn({ err, group: g.id }, "alert message not delivered; will retry");
      }
    }
    for (const n of notes) {
      const g = repo.group(n.groupId);
      if (!g?.ts) continue; // its message is not out yet: the next pass posts the note
      try {
        await chat.post(g.channel, redact({ blocks: [text(n.text)] }, [g.device]), { threadTs: g.ts });
        counts.posts++;
        repo.notePosted(n.id);
      } catch (err) {
        logger.warn({ err, note: n.id }, "alert thread note not delivered; will retry");
      }
    }
  }

  /** Best effort: a chart that cannot be drawn or uploaded is logged, and the alert stands without it. */
  async function postCharts(channel: string, threadTs: string, members: Alert[]): Promise<void> {
    if (!deps.charts) return;
    for (const a of members.filter((m) => m.status !== "resolved").slice(0, MAX_CHARTS_PER_MESSAGE)) {
      try {
        const file = await deps.charts(a);
        if (file) await chat.uploadFile(channel, { ...file, threadTs });
      } catch (err) {
        logger.warn({ err, alert: a.id }, "alert chart not posted");
      }
    }
  }

  function redact(reply: Reply, names: string[]): Reply {
    const r = deps.redactor;
    if (!r) return reply;
    const clean = (t: string) => r.redact(t, names);
    const block = (b: Block): Block => {
      switch (b.type) {
        case "heading":
        case "text":
        case "context":
        case "code":
          return { ...b, text: clean(b.text) };
        case "table":
          return { ...b, rows: b.rows.map((row) => row.map(clean)) };
        case "fields":
          return { ...b, fields: b.fields.map((f) => ({ label: f.label, value: clean(f.value) })) };
        default:
          return b;
      }
    };
    return { ...reply, blocks: reply.blocks.map(block) };
  }

  /**
   * The first pass ever (a new install, or alerts added to a bot that has polled for months) starts
   * an hour back in the log: recent changes alert, old history does not flood the channels.
   */
  function firstCursor(): void {
    if (repo.hasCursor(CONSUMER)) return;
    const start = repo.lastChangeBefore(clock.now() - HISTORY_MS);
    store.tx(() => repo.setCursor(CONSUMER, start));
    if (start > 0) logger.info({ changeId: start }, "alerts start after older change-log history");
  }

  async function pass(): Promise<PassResult> {
    firstCursor();
    // Reload the open alerts: another process (the CLI) may have acked one since the last pass.
    active.clear();
    for (const a of repo.active()) active.set(a.key, a);
    const result: PassResult = { changes: 0, effects: 0, posts: 0, updates: 0 };
    for (;;) {
      const now = clock.now();
      const d = ctx.decide(repo.silences(now));
      const batch = decideBatch(now, d);
      result.changes += batch.changes;
      result.effects += batch.effects.length;
      if (batch.changes < batchSize) break;
    }
    const flushed = await flush();
    result.posts += flushed.posts;
    result.updates += flushed.updates;
    if (result.effects + result.posts + result.updates > 0) deps.onChange?.();
    return result;
  }

  /** Runs `fn` after every pass or mutation queued before it. */
  function serialized<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  }

  return {
    repo: repo as AlertRepo,
    context: ctx as AlertContext,
    /** Reads new changes, ticks open alerts and delivers messages. Safe to call at any time. */
    process: (): Promise<PassResult> => {
      owner = true;
      return serialized(pass);
    },
    /**
     * A change made outside a pass (ack, silence), run in order with the passes: `fn` may read and save
     * alerts through `save`; then, in the process that runs passes, a pass re-renders what changed.
     */
    mutate<T>(
      fn: (save: (alert: Alert, noteText?: string) => void) => T,
    ): Promise<{ result: T; pass: PassResult | undefined }> {
      return serialized(async () => {
        const result = store.tx(() =>
          fn((alert, noteText) => {
            const stored = { ...alert, id: repo.save(alert) };
            if (stored.status !== "resolved") active.set(stored.key, stored);
            else active.delete(stored.key);
            if (stored.groupId !== null) {
              repo.markDirty(stored.groupId);
              if (noteText) repo.addNote(stored.groupId, noteText);
            }
          }),
        );
        return { result, pass: owner ? await pass() : undefined };
      });
    },
    /** Open alerts, from the store (chat queries never depend on this process's passes). */
    activeAlerts: (): Alert[] => repo.active(),
    serialized,
  };
}
