import type { ChatPort } from "../../chat/port.js";
import type { Config, DeviceConfig } from "../../config/schema.js";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import type { Store } from "../../store/store.js";
import {
  addedRemoved,
  diffDevices,
  type InventoryChange,
  type MergedInventory,
  mergeInventory,
} from "./merge.js";
import { changeReply } from "./render.js";
import { createSnapshotRepo } from "./snapshot-repo.js";
import type { InventoryHealth, InventorySource, RefreshReport, SourceOutcome, SourceState } from "./types.js";

export interface InventoryService {
  /** True when any source (NetBox, Ansible) is configured. */
  readonly hasSources: boolean;
  /** The desired device list and how each device was resolved, from the kept lists. */
  current(): MergedInventory;
  /** Each source's state (kept list, last attempt, error); sources never refreshed show no list. */
  sources(): SourceState[];
  health(): InventoryHealth;
  /** Fetches every source (or the named ones) now, keeps what succeeded, applies and reports the change once. */
  refresh(only?: string[]): Promise<RefreshReport>;
  /** What a refresh would change now, without keeping or applying anything. */
  diff(): Promise<RefreshReport>;
  /** Called with the new desired list after a refresh changed it. */
  onChange(listener: (devices: DeviceConfig[], change: InventoryChange) => void): void;
  /** Refreshes each source on its schedule, the first time right away. */
  start(): void;
  stop(): Promise<void>;
}

export interface InventoryDeps {
  /** The config as written: its `devices` are the YAML's own. */
  config: Pick<Config, "devices" | "profiles" | "inventory" | "channels">;
  sources: InventorySource[];
  store: Store;
  clock: Clock;
  logger: Logger;
  chat: ChatPort;
  /** Timer for scheduled refreshes (tests drive it by hand). */
  every?: (ms: number, tick: () => void) => { stop(): void };
}

const realEvery = (ms: number, tick: () => void) => {
  const t = setInterval(tick, ms);
  t.unref();
  return { stop: () => clearInterval(t) };
};

/**
 * Inventory: each source's last good list is kept in the store; the merge of the YAML and those lists
 * is the desired device list. A refresh that fails keeps the old list and records why; a refresh
 * that changes the list tells the listeners (the running core) and the admin channel, once.
 */
export function createInventory(deps: InventoryDeps): InventoryService {
  const repo = createSnapshotRepo(deps.store);
  const every = deps.every ?? realEvery;
  const listeners: ((devices: DeviceConfig[], change: InventoryChange) => void)[] = [];
  const configured = new Set(deps.sources.map((s) => s.name));
  let queue: Promise<unknown> = Promise.resolve();
  let timers: { stop(): void }[] = [];
  let cached: MergedInventory | undefined;

  /** Kept states of the configured sources, in configuration order (earlier wins a name clash). */
  const states = (): SourceState[] => {
    const stored = new Map(repo.sources().map((s) => [s.source, s]));
    return deps.sources.map(
      (s) =>
        stored.get(s.name) ?? {
          source: s.name,
          location: s.location,
          devices: [],
          skipped: [],
          fetchedAt: null,
          attemptedAt: null,
          error: null,
        },
    );
  };

  const merge = (lists: SourceState[]) =>
    mergeInventory(
      deps.config,
      lists.filter((s) => configured.has(s.source)).map((s) => ({ source: s.source, devices: s.devices })),
    );

  const current = (): MergedInventory => {
    cached ??= merge(states());
    return cached;
  };

  async function fetchAll(only?: string[]): Promise<{ lists: SourceState[]; outcomes: SourceOutcome[] }> {
    const kept = states();
    const lists: SourceState[] = [];
    const outcomes: SourceOutcome[] = [];
    // One after another: a refresh is rare and sources are few; this keeps load on NetBox predictable.
    for (const [i, source] of deps.sources.entries()) {
      if (only && !only.includes(source.name)) {
        lists.push(kept[i]!);
        continue;
      }
      try {
        const listing = await source.list();
        const at = deps.clock.now();
        lists.push({
          ...kept[i]!,
          ...listing,
          location: source.location,
          fetchedAt: at,
          attemptedAt: at,
          error: null,
        });
        outcomes.push({ source: source.name, ok: true, devices: listing.devices.length });
      } catch (err) {
        const error = (err as Error).message;
        lists.push({ ...kept[i]!, location: source.location, attemptedAt: deps.clock.now(), error });
        outcomes.push({ source: source.name, ok: false, devices: kept[i]!.devices.length, error });
        deps.logger.warn({ source: source.name, error }, "inventory source failed; keeping its last list");
      }
    }
    return { lists, outcomes };
  }

  async function doRefresh(only?: string[]): Promise<RefreshReport> {
    // The list in use before this refresh: the baseline when nothing was applied yet (read before saving).
    const baseline = current();
    const { lists, outcomes } = await fetchAll(only);
    const next = merge(lists);
    const fetched = new Set(outcomes.map((o) => o.source));
    const change = repo.tx(() => {
      for (const s of lists) {
        if (!fetched.has(s.source)) continue;
        if (s.error === null && s.fetchedAt !== null) repo.saveSuccess({ ...s, at: s.fetchedAt });
        else
          repo.saveFailure({
            source: s.source,
            location: s.location,
            error: s.error ?? "never fetched",
            at: s.attemptedAt ?? deps.clock.now(),
          });
      }
      // Compared with what was last applied (kept in the store), so each add or remove is reported once.
      let applied = repo.applied();
      if (applied.size === 0) applied = new Map(baseline.sourceOf);
      const names = addedRemoved(applied, next);
      repo.replaceApplied(
        next.devices.map((d) => ({ name: d.name, source: next.sourceOf.get(d.name) ?? "yaml" })),
      );
      return names;
    });
    cached = next;
    const detailed = { ...change, changed: diffDevices(baseline, next).changed };
    if (detailed.added.length + detailed.removed.length + detailed.changed.length > 0) {
      for (const l of listeners) {
        try {
          l(next.devices, detailed);
        } catch (err) {
          deps.logger.error({ err }, "applying the inventory change failed");
        }
      }
    }
    await report(change, outcomes);
    return { sources: outcomes, change: detailed };
  }

  async function report(
    change: Pick<InventoryChange, "added" | "removed">,
    outcomes: SourceOutcome[],
  ): Promise<void> {
    if (change.added.length + change.removed.length === 0) return;
    const logical = deps.config.inventory.report_channel;
    const channel = deps.config.channels[logical];
    deps.logger.info({ added: change.added.length, removed: change.removed.length }, "inventory changed");
    if (!channel) {
      deps.logger.info({ channel: logical }, "no channel configured for inventory reports (channels.admin)");
      return;
    }
    try {
      await deps.chat.post(channel, changeReply(change, outcomes));
    } catch (err) {
      deps.logger.warn({ err, channel }, "could not post the inventory report");
    }
  }

  const service: InventoryService = {
    hasSources: deps.sources.length > 0,
    current,
    sources: states,
    health() {
      const problems = states().flatMap((s) => {
        if (s.error !== null && s.fetchedAt !== null)
          return [
            `${s.source}: last refresh failed (${s.error}); using the list from ${new Date(s.fetchedAt).toISOString()}`,
          ];
        if (s.error !== null) return [`${s.source}: never fetched (${s.error})`];
        if (s.fetchedAt === null) return [`${s.source}: not fetched yet`];
        return [];
      });
      return { ok: problems.length === 0, problems };
    },
    refresh(only) {
      // Refreshes run one at a time, in order: two never race to apply their lists.
      const p = queue.then(() => doRefresh(only));
      queue = p.catch(() => {});
      return p;
    },
    async diff() {
      const { lists, outcomes } = await fetchAll();
      return { sources: outcomes, change: diffDevices(current(), merge(lists)) };
    },
    onChange(listener) {
      listeners.push(listener);
    },
    start() {
      if (timers.length > 0 || deps.sources.length === 0) return;
      const tick = (only?: string[]) => {
        service.refresh(only).catch((err: unknown) => deps.logger.error({ err }, "inventory refresh failed"));
      };
      timers = deps.sources.map((s) => every(s.refreshMs, () => tick([s.name])));
      tick();
    },
    async stop() {
      for (const t of timers) t.stop();
      timers = [];
      await queue;
    },
  };
  return service;
}
