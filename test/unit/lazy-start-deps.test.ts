import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../../src/config/schema.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createOpsMetrics } from "../../src/lib/ops/metrics.js";
import { PARSE_ONCE } from "../../src/lib/parse-once.js";
import { runbookSchema } from "../../src/orchestration/runbooks/schema.js";

/**
 * prom-client is built at the first recording and the one-shot CLI's logger is not pino (see
 * test/integration/cli-cold-start.test.ts for what that saves): neither may lose or change anything.
 */
describe("ops metrics built at first use", () => {
  it("gauges registered before the registry exists are scraped, with what was recorded after", async () => {
    const metrics = createOpsMetrics({ defaultMetrics: false });
    let devices = 3;
    metrics.gauge("opsbot_devices", "Devices in the cache, by state.", ["state"], () => [
      { labels: { state: "ok" }, value: devices },
    ]);
    // Registering a name again replaces it, before the build as after.
    metrics.gauge("opsbot_devices", "Devices in the cache, by state.", ["state"], () => [
      { labels: { state: "stale" }, value: devices },
    ]);
    metrics.polls.inc({ outcome: "ok" });
    metrics.polls.inc({ outcome: "ok" }, 2);
    metrics.pollSeconds.observe({ outcome: "ok" }, 0.2);
    metrics.stepSeconds.observe(0.5);
    metrics.webhooks.inc({ receiver: "alertmanager", outcome: "accepted" });
    devices = 5;
    const text = await metrics.render();
    expect(text).toContain('opsbot_polls_total{outcome="ok"} 3');
    expect(text).toContain('opsbot_poll_duration_seconds_count{outcome="ok"} 1');
    expect(text).toContain("opsbot_run_step_duration_seconds_count 1");
    expect(text).toContain('opsbot_webhooks_total{receiver="alertmanager",outcome="accepted"} 1');
    expect(text).toContain('opsbot_devices{state="stale"} 5');
    expect(text).not.toContain('opsbot_devices{state="ok"}');
    expect(text).not.toContain("opsbot_process_cpu");
    expect(metrics.contentType).toMatch(/^text\/plain/);
  });

  it("a gauge registered after the build replaces the earlier one at once", async () => {
    const metrics = createOpsMetrics({ defaultMetrics: false });
    metrics.alertDeliveries.inc({ outcome: "posted" });
    metrics.gauge("opsbot_runs", "Runbook runs by state.", ["state"], () => [
      { labels: { state: "a" }, value: 1 },
    ]);
    metrics.gauge("opsbot_runs", "Runbook runs by state.", ["state"], () => [
      { labels: { state: "b" }, value: 2 },
    ]);
    const text = await metrics.render();
    expect(text).toContain('opsbot_alert_deliveries_total{outcome="posted"} 1');
    expect(text).toContain('opsbot_runs{state="b"} 2');
    expect(text).not.toContain('opsbot_runs{state="a"}');
  });

  it("with default metrics (the long-running modes) process metrics are there from the start", async () => {
    const metrics = createOpsMetrics();
    expect(metrics.registry.getSingleMetric("opsbot_process_cpu_user_seconds_total")).toBeDefined();
    expect(await metrics.render()).toContain("opsbot_process_cpu_user_seconds_total");
  });
});

describe("schemas parsed once skip zod's compiled fast path", () => {
  // Each case parsed with the fast path (a fresh parse per schema, as before) and without it.
  const same = (schema: typeof configSchema | ReturnType<typeof runbookSchema>, input: unknown) => {
    const jit = schema.safeParse(structuredClone(input), { reportInput: true });
    const once = schema.safeParse(structuredClone(input), { ...PARSE_ONCE, reportInput: true });
    expect(once.success).toBe(jit.success);
    if (jit.success) expect(once.data).toEqual(jit.data);
    else expect(once.error?.issues).toEqual(jit.error.issues);
    return jit.success;
  };

  it("the config: the example file, empty, and broken ones give the same data and the same problems", () => {
    const example = parse(readFileSync("opsbot.example.yaml", "utf8")) as Record<string, unknown>;
    expect(same(configSchema, example)).toBe(true);
    expect(same(configSchema, {})).toBe(true);
    expect(same(configSchema, { ...example, timezone: "Mars/Olympus", unknown_key: 1 })).toBe(false);
    expect(
      same(configSchema, { ...example, devices: [{ name: "x", snmp: { port: "161" } }], alerts: 3 }),
    ).toBe(false);
  });

  it("runbooks: the shipped ones, and one with wrong types and unknown keys", () => {
    for (const f of ["service-restart", "web-deploy", "firmware-upgrade"])
      expect(same(runbookSchema(), parse(readFileSync(`runbooks/${f}.yaml`, "utf8")))).toBe(true);
    expect(
      same(runbookSchema(), { name: 3, steps: [{ id: "a", kind: "ssh", extra: true }], params: "x" }),
    ).toBe(false);
  });
});

describe("silent logger", () => {
  it("takes every call pino's does, at any depth of child loggers, and says it logs nothing", () => {
    const log = silentLogger();
    const child = log.child({ component: "x" }).child({ device: "sw1" });
    for (const l of [log, child]) {
      l.fatal("f");
      l.error({ err: new Error("boom") }, "e");
      l.warn("w %s", "x");
      l.info({ a: 1 }, "i");
      l.debug("d");
      l.trace("t");
      expect(l.isLevelEnabled("error")).toBe(false);
      expect(l.level).toBe("silent");
    }
  });
});
