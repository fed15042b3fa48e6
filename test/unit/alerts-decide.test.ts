import { describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { classify } from "../../src/management/alerts/classify.js";
import { acknowledge, applyEvent, type DecideContext, tick } from "../../src/management/alerts/decide.js";
import { errorRateEvent } from "../../src/management/alerts/error-rate.js";
import { isOpen } from "../../src/management/alerts/maintenance.js";
import { portMatcher, resolveRules } from "../../src/management/alerts/rules.js";
import { type Alert, alertKey, type RuleEvent } from "../../src/management/alerts/types.js";
import type { LoggedChange } from "../../src/management/state-rows.js";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;

function ctx(overrides: Partial<DecideContext> = {}, alerts: Record<string, unknown> = {}): DecideContext {
  const rules = resolveRules(configSchema.parse({ alerts }).alerts);
  return {
    rule: (n) => rules[n],
    flap: { transitions: 4, windowMs: 10 * MIN, settleMs: 10 * MIN },
    suppressedBy: () => null,
    failures: () => 0,
    ...overrides,
  };
}

const ev = (condition: "bad" | "ok", at: number, extra: Partial<RuleEvent> = {}): RuleEvent => ({
  key: alertKey("sw1", "port_down", "Gi1/0/1"),
  device: "sw1",
  rule: "port_down",
  object: "Gi1/0/1",
  condition,
  severity: "critical",
  value: condition === "bad" ? "down" : "up",
  at,
  detail: {},
  ...extra,
});

/** Feeds events and ticks in order, collecting effects. */
function run(c: DecideContext, steps: Array<RuleEvent | { tick: number }>) {
  let alert: Alert | undefined;
  const effects: string[] = [];
  for (const s of steps) {
    const d = "tick" in s ? (alert ? tick(alert, s.tick, c) : undefined) : applyEvent(alert, s, s.at, c);
    if (!d) continue;
    alert = d.alert;
    effects.push(...d.effects.map((e) => (e.type === "announce" ? `announce:${e.reason}` : e.type)));
  }
  return { alert, effects };
}

describe("alert decisions (pure core)", () => {
  it("holds, then fires once; a clear before the hold time says nothing", () => {
    const c = ctx({}, { rules: { port_down: { hold: "2m" } } });
    const fired = run(c, [ev("bad", T0), { tick: T0 + MIN }, { tick: T0 + 2 * MIN }, { tick: T0 + 3 * MIN }]);
    expect(fired.effects).toEqual(["announce:fired"]);
    expect(fired.alert?.status).toBe("firing");
    const quiet = run(c, [ev("bad", T0), ev("ok", T0 + MIN), { tick: T0 + 5 * MIN }]);
    expect(quiet.effects).toEqual([]);
    expect(quiet.alert?.status).toBe("resolved");
  });

  it("recovery is announced with how long it lasted", () => {
    const c = ctx({}, { rules: { port_down: { hold: "0" } } });
    const r = applyEvent(run(c, [ev("bad", T0)]).alert, ev("ok", T0 + 7 * MIN), T0 + 7 * MIN, c);
    expect(r.effects).toEqual([expect.objectContaining({ type: "recovered", afterMs: 7 * MIN })]);
  });

  it("N transitions in the window: flapping, announced once, settles after the quiet period", () => {
    const c = ctx({}, { rules: { port_down: { hold: "5m" } } });
    const flips = [0, 1, 2, 3, 4, 5].map((i) => ev(i % 2 === 0 ? "bad" : "ok", T0 + i * MIN));
    const r = run(c, [...flips, { tick: T0 + 6 * MIN }]);
    expect(r.alert?.status).toBe("flapping");
    expect(r.effects.filter((e) => e.startsWith("announce"))).toEqual(["announce:flapping"]);
    const settled = run(c, [...flips, { tick: T0 + 16 * MIN }]);
    expect(settled.alert?.status).toBe("resolved");
    expect(settled.effects).toContain("recovered");
  });

  it("an ack stops reminders; getting worse clears the ack and announces again", () => {
    const c = ctx({}, { rules: { drive: { hold: "0", renotify: "10m" } } });
    const drive = (value: string, severity: "warning" | "critical", at: number) =>
      ev("bad", at, {
        rule: "drive",
        key: alertKey("db1", "drive", "d1"),
        device: "db1",
        object: "d1",
        value,
        severity,
      });
    const fired = run(c, [drive("warning", "warning", T0), { tick: T0 + 11 * MIN }]);
    expect(fired.effects).toEqual(["announce:fired", "renotify"]);
    const acked = acknowledge(fired.alert!, "bob", T0 + 12 * MIN);
    expect(tick(acked, T0 + 60 * MIN, c).effects).toEqual([]);
    const worse = applyEvent(acked, drive("failed", "critical", T0 + 61 * MIN), T0 + 61 * MIN, c);
    expect(worse.alert).toMatchObject({ ackedBy: null, severity: "critical", value: "failed" });
    expect(worse.effects.map((e) => e.type)).toEqual(["announce"]);
  });

  it("a suppressed alert fires silently and is announced when the suppression ends", () => {
    let silenced = true;
    const c = ctx(
      { suppressedBy: () => (silenced ? "silenced (#1, x)" : null) },
      { rules: { port_down: { hold: "0" } } },
    );
    const r = run(c, [ev("bad", T0), { tick: T0 + MIN }]);
    expect(r.effects).toEqual([]);
    expect(r.alert).toMatchObject({ status: "firing", suppressed: "silenced (#1, x)", notified: false });
    silenced = false;
    expect(tick(r.alert!, T0 + 2 * MIN, c).effects.map((e) => e.type)).toEqual(["announce"]);
  });

  it("device_unreachable waits for N consecutive failed polls", () => {
    let failures = 1;
    const c = ctx({ failures: () => failures });
    const unreachable = ev("bad", T0, {
      rule: "device_unreachable",
      key: alertKey("sw1", "device_unreachable", ""),
      object: "",
    });
    const first = run(c, [unreachable, { tick: T0 + 5 * MIN }]);
    expect(first.alert?.status).toBe("pending");
    failures = 3;
    expect(tick(first.alert!, T0 + 15 * MIN, c).alert?.status).toBe("firing");
  });

  it("one-shot changes announce once and stay resolved", () => {
    const c = ctx();
    const r = applyEvent(
      undefined,
      ev("bad", T0, { rule: "firmware_changed", oneShot: true, value: "1 → 2" }),
      T0,
      c,
    );
    expect(r.alert?.status).toBe("resolved");
    expect(r.effects.map((e) => e.type)).toEqual(["announce"]);
  });
});

describe("classification", () => {
  const config = configSchema.parse({
    alerts: { ports: { explicit: ["core-*:Te1/*"], device_tags: ["uplink"] } },
    firmware_baselines: { "C9300-*": { min: "17.6.1" } },
  }).alerts;
  const tags = (d: string) => (d === "edge1" ? ["uplink"] : []);
  const cx = {
    tags,
    portMatters: portMatcher(config.ports, tags),
    driveKind: (_d: string, key: string) => (key.startsWith("md:") ? ("array" as const) : ("disk" as const)),
    baselines: { "C9300-*": { min: "17.6.1" } },
  };
  const change = (c: Partial<LoggedChange>): LoggedChange => ({
    id: 1,
    at: T0,
    device: "acc1",
    kind: "port_oper",
    objectKey: "Gi1/0/9",
    old: "up",
    new: "down",
    detail: { alias: "", adminStatus: "up" },
    ...c,
  });

  it("watches aliased, tagged-device and explicit ports, never a plain access port", () => {
    expect(classify(change({}), cx)).toEqual([]);
    expect(classify(change({ detail: { alias: "to core", adminStatus: "up" } }), cx)).toHaveLength(1);
    expect(classify(change({ device: "edge1" }), cx)).toHaveLength(1);
    expect(classify(change({ device: "core-a", objectKey: "Te1/1" }), cx)[0]).toMatchObject({
      rule: "port_down",
      condition: "bad",
    });
    expect(classify(change({ device: "core-a", objectKey: "Te1/1", new: "up" }), cx)[0]?.condition).toBe(
      "ok",
    );
  });

  it("maps drives, arrays, firmware and backups to their rules", () => {
    expect(classify(change({ kind: "drive_status", objectKey: "md:md0", new: "failed" }), cx)[0]?.rule).toBe(
      "raid_degraded",
    );
    expect(
      classify(change({ kind: "drive_status", objectKey: "smart:/dev/sda", new: "warning" }), cx)[0],
    ).toMatchObject({
      rule: "drive",
      severity: "warning",
    });
    const fw = classify(
      change({
        kind: "firmware",
        objectKey: "",
        old: "17.6.1",
        new: "17.3.1",
        detail: { model: "C9300-48P" },
      }),
      cx,
    );
    expect(fw.map((e) => [e.rule, e.condition])).toEqual([
      ["firmware_changed", "bad"],
      ["firmware_drift", "bad"],
    ]);
    expect(
      classify(
        change({
          kind: "backup" as LoggedChange["kind"],
          objectKey: "",
          old: "ok",
          new: "failed",
          detail: { error: "timeout" },
        }),
        cx,
      )[0],
    ).toMatchObject({
      rule: "backup_failed",
      value: "timeout",
    });
  });
});

describe("maintenance windows", () => {
  const base = { devices: [], tags: [], sites: [] };
  it("one-off windows are open between start and end", () => {
    const w = { ...base, name: "x", start: "2026-01-01T11:00:00Z", end: "2026-01-01T13:00:00Z" };
    expect(isOpen(w, T0)).toBe(true);
    expect(isOpen(w, T0 + 2 * 3_600_000)).toBe(false);
  });
  it("recurring windows open at each cron match for their duration (UTC)", () => {
    const w = { ...base, name: "sat", cron: "0 2 * * 6", duration: "2h" }; // Saturdays 02:00–04:00
    const saturday = Date.UTC(2026, 0, 3, 3, 30);
    expect(isOpen(w, saturday)).toBe(true);
    expect(isOpen(w, Date.UTC(2026, 0, 3, 4, 0))).toBe(false);
    expect(isOpen(w, Date.UTC(2026, 0, 4, 3, 30))).toBe(false);
  });
});

describe("interface error rate (hysteresis)", () => {
  const rule = resolveRules(
    configSchema.parse({ alerts: { rules: { error_rate: { threshold: 100, clear_threshold: 10 } } } }).alerts,
  ).error_rate;
  const sample = (errors: number, at: number) => ({
    device: "sw1",
    port: "Te1/1",
    alias: "uplink",
    errors,
    at,
  });
  const rate = (perMin: number, open: boolean) =>
    errorRateEvent({ errors: 1000, at: T0 }, sample(1000 + perMin * 5, T0 + 5 * MIN), open, rule);

  it("raises at the threshold, clears only below the lower one, holds in between", () => {
    expect(rate(150, false)).toMatchObject({ condition: "bad", value: "150 errors/min" });
    expect(rate(50, false)).toBeUndefined();
    expect(rate(50, true)).toBeUndefined(); // between the thresholds: an open alert stays open
    expect(rate(5, true)).toMatchObject({ condition: "ok" });
  });

  it("ignores the first sample and counter resets", () => {
    expect(errorRateEvent(undefined, sample(5000, T0), false, rule)).toBeUndefined();
    expect(errorRateEvent({ errors: 5000, at: T0 }, sample(10, T0 + MIN), true, rule)).toBeUndefined();
  });
});

describe("alerts config", () => {
  it("names the key of a bad maintenance window or digest schedule", () => {
    const bad = configSchema.safeParse({
      alerts: {
        maintenance: [
          { name: "x", cron: "every saturday", duration: "2h" },
          { name: "y", start: "2026-01-01T00:00:00Z" },
        ],
        digest: { schedule: "nope", channel: "ops" },
      },
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(
      expect.arrayContaining(["alerts.maintenance.0.cron", "alerts.maintenance.1", "alerts.digest.schedule"]),
    );
  });
});
