import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { isPortDown } from "../../src/management/diff.js";
import { createFleetQueries } from "../../src/management/fleet-queries.js";
import type { FleetQueries, Scope } from "../../src/management/fleet-query-types.js";
import type { InterfaceObservation } from "../../src/management/observations.js";
import { recordPoll } from "../../src/management/record-poll.js";
import type { DeviceRegistration, StateRepo } from "../../src/management/state-repo.js";
import { scopeAggregatesMigration } from "../../src/store/migrations/0160-scope-aggregates.js";
import { migrate } from "../../src/store/store.js";
import {
  observation,
  port,
  registration,
  seededRepo,
  tempStore,
  unreachable,
} from "../support/mgmt-fixtures.js";

/**
 * The per-scope aggregates (migration 160) are kept on write; here they must equal a recount from the
 * device cache's own rows, done independently in plain code, after every step of a random history of
 * polls (ports going up and down, ports appearing and vanishing, unreachable devices, partial polls)
 * and config changes (sites and tags moved, devices added and removed).
 */
const SITES = ["ams1", "fra1", "lon1", undefined];
const TAGS = ["core", "access", "edge", "lab", "pci"];
const STATUSES = ["up", "down", "lowerLayerDown", "notPresent", "dormant", "testing"] as const;

/** Deterministic pseudo-random numbers: a failure replays. */
function prng(seed: number) {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!,
  };
}

type Row = Record<string, unknown>;

describe("scope aggregates", () => {
  let ctx: ReturnType<typeof tempStore>;
  let clock: ManualClock;
  let repo: StateRepo;
  let q: FleetQueries;

  beforeEach(() => {
    ctx = tempStore();
    clock = new ManualClock(Date.UTC(2026, 0, 1));
  });
  afterEach(() => ctx.cleanup());

  /** Every aggregate, recounted from device_state, device_tag and interface_state (devices removed from the config count nowhere). */
  function recount() {
    const db = ctx.store.db;
    const devices = db
      .prepare("SELECT name, site, last_ok_at, poll_interval_ms FROM device_state WHERE removed_at IS NULL")
      .all() as Row[];
    const present = new Set(devices.map((d) => d.name));
    const tags = (db.prepare("SELECT tag, device FROM device_tag").all() as Row[]).filter((t) =>
      present.has(t.device),
    );
    const ports = (
      db
        .prepare(
          "SELECT device, if_index, admin_status, oper_status, down_since, polled_at FROM interface_state",
        )
        .all() as Row[]
    ).filter(
      (p) =>
        present.has(p.device) &&
        isPortDown({ adminStatus: String(p.admin_status), operStatus: p.oper_status as never }),
    );
    const scopesOf = (name: unknown): string[] => {
      const d = devices.find((x) => x.name === name)!;
      return [
        "*",
        ...(d.site === null ? [] : [`s:${d.site}`]),
        ...tags.filter((t) => t.device === name).map((t) => `t:${t.tag}`),
      ];
    };
    const members: string[] = [];
    for (const d of devices) {
      const staleAfter = d.last_ok_at === null ? 0 : Number(d.last_ok_at) + 2 * Number(d.poll_interval_ms);
      for (const s of scopesOf(d.name))
        members.push(JSON.stringify([s, d.name, d.last_ok_at, staleAfter, d.poll_interval_ms]));
    }
    const downRows: string[] = [];
    const counts = new Map<string, { ports: number; devices: Set<unknown> }>();
    for (const p of ports) {
      for (const s of scopesOf(p.device)) {
        downRows.push(JSON.stringify([s, p.device, p.if_index, p.down_since, p.polled_at]));
        const c = counts.get(s) ?? { ports: 0, devices: new Set() };
        c.ports++;
        c.devices.add(p.device);
        counts.set(s, c);
      }
    }
    return {
      members: members.sort(),
      downRows: downRows.sort(),
      counts: [...counts].map(([s, c]) => JSON.stringify([s, c.ports, c.devices.size])).sort(),
      devices,
      tags,
      ports,
    };
  }

  function stored() {
    const db = ctx.store.db;
    const rows = (sql: string) =>
      (db.prepare(sql).raw().all() as unknown[][]).map((r) => JSON.stringify(r)).sort();
    return {
      members: rows("SELECT scope, device, last_ok_at, stale_after, interval_ms FROM scope_member"),
      downRows: rows("SELECT scope, device, if_index, down_since, polled_at FROM scope_port_down"),
      // A scope whose ports all came back up keeps a row of zeros.
      counts: rows("SELECT scope, ports, devices FROM scope_down_count WHERE ports <> 0 OR devices <> 0"),
    };
  }

  /** links down over a scope, worked out by brute force from the recount. */
  function expectedLinksDown(scope: Scope | undefined, all: ReturnType<typeof recount>, limit: number) {
    const inScope = (name: unknown) => {
      if (!scope) return true;
      if ("site" in scope) return all.devices.some((d) => d.name === name && d.site === scope.site);
      if ("tag" in scope) return all.tags.some((t) => t.device === name && t.tag === scope.tag);
      return name === scope.device;
    };
    const ports = all.ports
      .filter((p) => inScope(p.device))
      .sort(
        (a, b) =>
          (a.down_since === null ? 1 : 0) - (b.down_since === null ? 1 : 0) ||
          Number(b.down_since) - Number(a.down_since) ||
          String(a.device).localeCompare(String(b.device)) ||
          Number(a.if_index) - Number(b.if_index),
      );
    const devices = all.devices.filter((d) => inScope(d.name));
    const now = clock.now();
    const stale = devices
      .filter((d) => d.last_ok_at === null || now - Number(d.last_ok_at) > 2 * Number(d.poll_interval_ms))
      .map((d) => String(d.name))
      .sort();
    const okAts = devices.filter((d) => d.last_ok_at !== null).map((d) => Number(d.last_ok_at));
    const scopeOldest = okAts.length === 0 ? null : Math.min(...okAts);
    return {
      rows: ports.slice(0, limit).map((p) => `${p.device}#${p.if_index}`),
      total: ports.length,
      devices: new Set(ports.map((p) => p.device)).size,
      polledAt: ports.length > 0 ? Math.min(...ports.map((p) => Number(p.polled_at))) : scopeOldest,
      intervalMs: devices.length === 0 ? 0 : Math.max(...devices.map((d) => Number(d.poll_interval_ms))),
      staleCount: stale.length,
      staleDevices: stale.slice(0, 10),
    };
  }

  function expectConsistent(step: string) {
    const all = recount();
    const kept = stored();
    expect(kept.members, `${step}: scope_member`).toEqual(all.members);
    expect(kept.downRows, `${step}: scope_port_down`).toEqual(all.downRows);
    expect(kept.counts, `${step}: scope_down_count`).toEqual(all.counts);
    const scopes: (Scope | undefined)[] = [
      undefined,
      ...SITES.filter((s) => s !== undefined).map((site) => ({ site })),
      ...TAGS.map((tag) => ({ tag })),
      // A removed device is never a scope (resolveDevice skips it), so only while d3 is in the config.
      ...(ctx.store.db.prepare("SELECT 1 FROM device_state WHERE name = 'd3' AND removed_at IS NULL").get()
        ? [{ device: "d3" }]
        : []),
    ];
    for (const scope of scopes) {
      const answer = q.linksDown(scope, 7);
      const want = expectedLinksDown(scope, all, 7);
      expect(
        {
          rows: answer.items.map((p) => `${p.device}#${p.ifIndex}`),
          total: answer.total,
          devices: answer.devices,
          polledAt: answer.age.polledAt,
          intervalMs: answer.age.intervalMs,
          staleCount: answer.staleCount,
          staleDevices: answer.staleDevices,
        },
        `${step}: links down ${JSON.stringify(scope ?? "fleet")}`,
      ).toEqual(want);
    }
    expect(q.fleet().portsDown, `${step}: fleet portsDown`).toBe(all.ports.length);
  }

  it("equal a full recount after every step of random polls and config changes", () => {
    const rnd = prng(20261201);
    const fleetOf = (n: number): DeviceRegistration[] =>
      Array.from({ length: n }, (_, i) =>
        registration(`d${i}`, {
          site: rnd.pick(SITES),
          tags: TAGS.filter(() => rnd.next() < 0.35),
          pollIntervalMs: rnd.pick([60_000, 300_000]),
        }),
      );
    let devices = fleetOf(14);
    repo = seededRepo(ctx.store, devices);
    q = createFleetQueries({ store: ctx.store, clock, baselines: {} });
    expectConsistent("registered");

    const randomPorts = (): InterfaceObservation[] =>
      Array.from({ length: rnd.int(7) }, (_, k) => k + 1 + rnd.int(2) * 10)
        .map((ifIndex) =>
          port(ifIndex, {
            adminStatus: rnd.next() < 0.2 ? "down" : "up",
            operStatus: rnd.pick(STATUSES),
            lastChangeCs: rnd.int(1000),
          }),
        )
        .filter((p, i, all) => all.findIndex((o) => o.ifIndex === p.ifIndex) === i);

    const lastPorts = new Map<string, InterfaceObservation[]>();
    let steadyWithDown = 0;
    for (let step = 0; step < 160; step++) {
      clock.advance(rnd.int(400_000));
      const roll = rnd.next();
      if (roll < 0.08) {
        // Config change: move some devices between sites and tags, drop one, add one.
        devices = devices
          .filter(() => rnd.next() > 0.1)
          .map((d) =>
            rnd.next() < 0.3
              ? { ...d, site: rnd.pick(SITES), tags: TAGS.filter(() => rnd.next() < 0.35) }
              : // A new poll interval: the members' interval (and staleness) must follow.
                rnd.next() < 0.15
                ? { ...d, pollIntervalMs: d.pollIntervalMs === 60_000 ? 300_000 : 60_000 }
                : d,
          );
        devices.push(registration(`d${14 + step}`, { site: rnd.pick(SITES), tags: [rnd.pick(TAGS)] }));
        repo.syncDevices(devices, clock.now());
      } else if (devices.length > 0) {
        const name = rnd.pick(devices).name;
        const kind = rnd.next();
        if (kind < 0.15) recordPoll(ctx.store, repo, unreachable(name, clock.now()));
        else if (kind < 0.25)
          // Partial poll: the interface walk failed, the ports keep their older rows.
          recordPoll(
            ctx.store,
            repo,
            observation(name, clock.now(), { errors: [{ collector: "interfaces", message: "timeout" }] }),
          );
        else {
          // The steady state: the same ports again, only counters moved on (the aggregates move just
          // the down ports' poll time), or a new random set.
          const again = lastPorts.get(name);
          const steady = again !== undefined && kind < 0.6;
          const ports = steady
            ? again.map((p) => ({ ...p, inOctets: p.inOctets + 1000n, inErrors: p.inErrors + 1 }))
            : randomPorts();
          if (steady && ports.some((p) => isPortDown(p))) steadyWithDown++;
          lastPorts.set(name, ports);
          recordPoll(ctx.store, repo, observation(name, clock.now(), { interfaces: ports }));
        }
      }
      expectConsistent(`step ${step}`);
    }
    // The history did exercise what it claims to.
    expect(recount().ports.length).toBeGreaterThan(0);
    expect(steadyWithDown).toBeGreaterThan(5);
  });

  it("are filled by the migration for a cache written before they existed", () => {
    repo = seededRepo(ctx.store, [
      registration("a", { site: "ams1", tags: ["core", "edge"] }),
      registration("b", { site: "ams1" }),
      registration("d3"),
    ]);
    q = createFleetQueries({ store: ctx.store, clock, baselines: {} });
    const ports = [port(1, { operStatus: "down" }), port(2), port(3, { operStatus: "lowerLayerDown" })];
    recordPoll(ctx.store, repo, observation("a", clock.now(), { interfaces: ports }));
    recordPoll(
      ctx.store,
      repo,
      observation("d3", clock.now(), { interfaces: [port(4, { operStatus: "down" })] }),
    );
    // Back to the schema before migration 160, then migrate as an existing database would.
    const db = ctx.store.db;
    db.exec(`DROP VIEW device_scope; DROP TABLE scope_member; DROP TABLE scope_port_down; DROP TABLE scope_down_count;
      DROP INDEX device_state_name_nocase; DROP INDEX device_state_site_nocase; DROP INDEX device_tag_tag_nocase;
      CREATE INDEX interface_down ON interface_state(down_since DESC, polled_at) WHERE oper_down = 1;
      DELETE FROM schema_migrations WHERE id = 160;`);
    expect(migrate(db, [scopeAggregatesMigration])).toEqual([160]);
    q = createFleetQueries({ store: ctx.store, clock, baselines: {} });
    expectConsistent("migrated");
    expect(q.linksDown({ tag: "edge" }).total).toBe(2);
  });
});
