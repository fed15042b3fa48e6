import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import { ManualClock, systemClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import { readChanges } from "../../src/management/change-log.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { batchQuery } from "../../src/management/sources/prometheus/fleet-snapshot.js";
import { createPrometheusApi } from "../../src/management/sources/prometheus/prometheus-api.js";
import { createPrometheusSource } from "../../src/management/sources/prometheus/prometheus-source.js";
import { renderSnmpExporterConfig } from "../../src/management/sources/prometheus/snmp-exporter-module.js";
import { scanVector } from "../../src/management/sources/prometheus/vector-scanner.js";
import { waitFor } from "../support/orch-wait.js";
import {
  type RunningService,
  snmpScrapeJobs,
  startPrometheus,
  startSnmpExporter,
} from "../support/prometheus-stack.js";
import { RecordingChat } from "../support/recording-chat.js";
import { type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";
import { tempDir } from "../support/temp.js";

/**
 * snmpsimd → snmp_exporter → Prometheus → opsbot's Prometheus source, side by side with the built-in
 * poller reading the same recordings: every device must answer `links down`, `drives failing` and
 * `firmware` the same way on both paths. All programs are the real Debian packages on loopback.
 */
const FIXTURES: Record<string, string> = {
  "lab-sw1": "lab-switch",
  "core-sw1": "switch48",
  db01: "server-failed-disk",
  "idrac-r740": "idrac",
  "hpe-dl380": "hpe-smartarray",
  "nas-syno": "synology",
  "nas-netapp": "netapp",
};
const NAMES = Object.keys(FIXTURES);

let sim: SnmpsimAgent;
let exporter: RunningService;
let prom: RunningService | undefined;
let collector: SnmpCollector;
let poller: Core;
let source: Core;
let chat: RecordingChat;
const clock = new ManualClock(Date.now());
const dirs: Array<{ cleanup(): void }> = [];

async function promQuery(
  q: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${prom!.url}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await res.json()) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.data.result;
}

function deviceYaml(name: string, via?: "prometheus"): Record<string, unknown> {
  const d = sim.device(FIXTURES[name]!, { name });
  return { ...d, tags: [name.includes("sw") ? "network" : "servers"], site: "lab", ...(via ? { via } : {}) };
}

function buildCore(yaml: Record<string, unknown>, withCollector: boolean, c = systemClock): Core {
  const dir = tempDir();
  dirs.push(dir);
  return createCore({
    config: parseConfig(JSON.stringify(yaml), "test.yaml", {}),
    dbPath: join(dir.path, "opsbot.db"),
    logger: silentLogger(),
    chat: withCollector ? new RecordingChat() : chat,
    clock: c,
    ...(withCollector ? { collector } : {}),
  });
}

const BASE = {
  roles: { oncall: ["alice"] },
  channels: { net: "C-NET", srv: "C-SRV" },
  polling: { schedule: "*/5 * * * *", jitter_ms: 0, concurrency: 8 },
  firmware_baselines: { "C9300-*": { min: "17.6.1" } },
  alerts: {
    default_channel: "net",
    rules: { port_down: { hold: "0s" } },
    ports: { explicit: ["lab-sw*:Gi1/0/3"] },
  },
};

async function ask(core: Core, text: string): Promise<string> {
  const r = await core.router.handle(text, {
    user: { id: "alice", name: "alice", roles: ["oncall"] },
    channel: "test",
    transport: "console",
  });
  return replyToPlainText(r.reply);
}

/** Ages and durations differ by the seconds between the two reads; everything else must match. */
const normalize = (text: string) =>
  text
    .replace(/data (up to )?\d+[smhd]( \d+m)? old/g, "data N old")
    .replace(/\b\d+(ms|s|m|h|d)( \d+m)?\b/g, "<t>");

beforeAll(async () => {
  sim = await startSnmpsim({ fixtures: [...new Set(Object.values(FIXTURES))] });
  collector = createSnmpCollector({ logger: silentLogger(), clock: systemClock });
  const modules = Object.fromEntries(Object.values(FIXTURES).map((f) => [f, { community: f }]));
  exporter = await startSnmpExporter(renderSnmpExporterConfig(modules));
  prom = await startPrometheus(
    snmpScrapeJobs(
      exporter.port,
      NAMES.map((name) => ({ name, target: `127.0.0.1:${sim.port}`, module: FIXTURES[name]! })),
      "10s",
    ),
  );
  await waitFor(async () => (await promQuery("up == 1")).length === NAMES.length, 60_000, "every target up");
  chat = new RecordingChat();
  poller = buildCore({ ...BASE, devices: NAMES.map((n) => deviceYaml(n)) }, true);
  source = buildCore(
    {
      ...BASE,
      sources: {
        // Batches of two, two at a time: the comparison crosses batch boundaries.
        prometheus: {
          url: prom.url,
          interval: "1m",
          matchers: 'job=~"snmp-.*"',
          device_label: "instance",
          batch_size: 2,
          batches_in_flight: 2,
        },
      },
      devices: NAMES.map((n) => deviceYaml(n, "prometheus")),
    },
    false,
    clock,
  );
  await poller.poller!.pollAll();
  const first = await source.fleetSources[0]!.cycle();
  expect(first).toMatchObject({
    ok: true,
    error: null,
    recorded: NAMES.length,
    batches: 4,
    failedBatches: 0,
  });
  clock.advance(Date.now() - clock.now());
}, 180_000);

afterAll(async () => {
  await poller?.shutdown();
  await source?.shutdown();
  collector?.close();
  await prom?.stop();
  await exporter?.stop();
  await sim?.stop();
  for (const d of dirs) d.cleanup();
});

describe("Prometheus as a fleet source", () => {
  it("answers links down, drives failing and firmware like the built-in poller, device by device", async () => {
    for (const name of NAMES) {
      for (const q of [`links down ${name}`, `firmware ${name}`, `links ${name}`]) {
        const a = normalize(await ask(poller, q));
        const b = normalize(await ask(source, q));
        expect({ q, b }).toEqual({ q, b: a });
      }
    }
    for (const q of ["drives failing", "links down", "firmware drift"]) {
      expect(normalize(await ask(source, q))).toBe(normalize(await ask(poller, q)));
    }
    // Not vacuous: the fleet has real problems to agree on.
    const down = await ask(source, "links down");
    expect(down).toContain("core-sw1 | Te1/1/2");
    expect(await ask(source, "drives failing")).toContain(
      "db01 | SCSI disk (/dev/sdb) | 🔴 failed | down(5)",
    );
    expect(await ask(source, "firmware drift")).toContain("core-sw1 | C9300-48P | 17.03.04");
  });

  it("a fleet found by a discover selector (no device listed; tags and site from labels) answers the same", async () => {
    const discovered = buildCore(
      {
        ...BASE,
        sources: {
          prometheus: {
            url: prom!.url,
            interval: "1m",
            matchers: 'job=~"snmp-.*"',
            batch_size: 3,
            // Every series of the answer is a device; `kind` is a label made here for the tags.
            discover:
              'label_replace(label_replace(up{job=~"snmp-.*"}, "kind", "network", "instance", ".*sw.*"),' +
              ' "kind", "servers", "instance", "(db|idrac|hpe|nas).*")',
            site_label: "site",
            tag_labels: ["kind"],
          },
        },
      },
      false,
    );
    try {
      expect(discovered.services.config.devices).toEqual([]);
      const r = await discovered.fleetSources[0]!.cycle();
      expect(r).toMatchObject({ ok: true, recorded: NAMES.length, batches: 3, failedBatches: 0 });
      for (const name of NAMES) {
        for (const q of [`links down ${name}`, `firmware ${name}`, `links ${name}`]) {
          const a = normalize(await ask(source, q));
          const b = normalize(await ask(discovered, q));
          expect({ q, b }).toEqual({ q, b: a });
        }
      }
      for (const q of [
        "drives failing",
        "links down",
        "firmware drift",
        "links down network",
        "links down lab",
      ]) {
        expect({ q, b: normalize(await ask(discovered, q)) }).toEqual({
          q,
          b: normalize(await ask(source, q)),
        });
      }
      // Not vacuous: the scopes come from the labels and hold the fleet's problems.
      expect(await ask(discovered, "links down network")).toContain("core-sw1 | Te1/1/2");
      expect(await ask(discovered, "links down lab")).toContain("core-sw1 | Te1/1/2");
      expect(await ask(discovered, "links down servers")).not.toContain("core-sw1");
    } finally {
      await discovered.shutdown();
    }
  });

  it("reads a real batch answer with the scanner (not the fallback parse): the same series as JSON.parse", async () => {
    const promql = batchQuery(
      NAMES.map((name) => ({ name, values: [name] })),
      "instance",
      'job=~"snmp-.*"',
    );
    const res = await fetch(`${prom!.url}/api/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "accept-encoding": "identity" },
      body: new URLSearchParams({ query: promql }),
    });
    const text = await res.text();
    const scanned: Array<[string[], string]> = [];
    const envelope = scanVector(text, (labels, value) => scanned.push([[...labels], value]));
    expect(envelope).toBeDefined();
    const body = JSON.parse(text) as {
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    expect(scanned).toEqual(body.data.result.map((r) => [Object.entries(r.metric).flat(), r.value[1]]));
    expect(scanned.length).toBeGreaterThan(NAMES.length * 10);
  });

  it("states the data age of the Prometheus samples, not of the query", async () => {
    const text = await ask(source, "links down lab-sw1");
    expect(text).toMatch(/data up to \d+s old/);
  });

  it("a flipped port appears as a change and an alert", async () => {
    await sim.setOperStatus("lab-switch", 3, "down");
    await expect
      .poll(async () => (await promQuery('ifOperStatus{instance="lab-sw1",ifIndex="3"}'))[0]?.value[1], {
        timeout: 30_000,
        interval: 250,
      })
      .toBe("2");
    clock.advance(Date.now() - clock.now());
    const portTimes = source.store.db
      .prepare("SELECT DISTINCT polled_at FROM interface_state WHERE device = 'lab-sw1'")
      .pluck();
    const before = portTimes.all() as number[];
    const r = await source.fleetSources[0]!.cycle();
    expect(r.ok).toBe(true);
    // Every port row (the unchanged ones updated in place too) carries the new scrape's time.
    const lastPolled = source.store.db
      .prepare("SELECT last_polled_at FROM device_state WHERE name = 'lab-sw1'")
      .pluck()
      .get() as number;
    expect(before).toHaveLength(1);
    expect(lastPolled).toBeGreaterThan(before[0]!);
    expect(portTimes.all()).toEqual([lastPolled]);
    const changes = readChanges(source.store, { device: "lab-sw1" }).filter((c) => c.objectKey === "Gi1/0/3");
    expect(changes.map((c) => [c.kind, c.old, c.new])).toEqual([["port_oper", "up", "down"]]);
    await source.alerts.process();
    const posted = chat.posts
      .filter((p) => p.channel === "C-NET" && !p.threadTs)
      .map((p) => replyToPlainText(p.reply));
    const lab = posted.filter((t) => t.includes("Port down — lab-sw1"));
    expect(lab).toHaveLength(1);
    expect(lab[0]).toContain("Gi1/0/3");
    await sim.setOperStatus("lab-switch", 3, "up");
  });

  it("Prometheus stopped mid-cycle: the batch it answered is recorded, only the others' devices go stale", async () => {
    const polledAt = () =>
      new Map(
        (
          source.store.db.prepare("SELECT name, last_polled_at AS at FROM device_state").all() as Array<{
            name: string;
            at: number;
          }>
        ).map((r) => [r.name, r.at]),
      );
    const before = polledAt();
    // The first batch (lab-sw1, core-sw1) has newer scrapes than opsbot recorded.
    await waitFor(
      async () => {
        const ts = await promQuery('timestamp(up{instance=~"lab-sw1|core-sw1"})');
        return (
          ts.length === 2 && ts.every((t) => Number(t.value[1]) * 1000 > before.get(t.metric.instance!)!)
        );
      },
      60_000,
      "a new scrape of the first batch",
    );
    const running = prom!;
    prom = undefined;
    let requests = 0;
    // The real Prometheus answers the first batch's query, then stops before the second one.
    const stopsAfterFirst: typeof fetch = async (input, init) => {
      if (++requests === 2) await running.stop();
      return fetch(input, init);
    };
    const cfg = source.services.config.sources.prometheus!;
    const partial = createPrometheusSource({
      config: { ...cfg, batch_size: 2, batches_in_flight: 1 },
      devices: () => source.services.config.devices.filter((d) => d.via === "prometheus"),
      api: createPrometheusApi({ url: running.url, timeoutMs: 10_000, fetch: stopsAfterFirst }),
      store: source.store,
      clock,
      logger: silentLogger(),
    });
    const r = await partial.cycle();
    expect(r).toMatchObject({ ok: false, batches: 4, failedBatches: 3, recorded: 2 });
    expect(r.failedDevices).toEqual(NAMES.slice(2));
    expect(r.error).toMatch(
      /^3 of 4 batches failed, 5 devices kept their last data \(db01, idrac-r740, hpe-dl380, nas-syno, nas-netapp\): Prometheus at .* did not answer/,
    );
    const after = polledAt();
    for (const name of NAMES.slice(0, 2)) expect(after.get(name)).toBeGreaterThan(before.get(name)!);
    for (const name of NAMES.slice(2)) expect(after.get(name)).toBe(before.get(name));
    // Pick a moment the recorded batch is within two poll intervals (2 × 1m) and the rest are not.
    const recordedAt = Math.min(...NAMES.slice(0, 2).map((n) => after.get(n)!));
    const keptAt = Math.max(...NAMES.slice(2).map((n) => after.get(n)!));
    clock.set(keptAt + 120_000 + (recordedAt - keptAt) / 2);
    const fleet = await ask(source, "fleet");
    expect(fleet).toMatch(/Source prometheus: ⚠ failing: 3 of 4 batches failed/);
    expect(fleet).toContain("Stale data: 5 devices with data older than two poll intervals");
    expect(await ask(source, "links down core-sw1")).not.toContain("stale");
    expect(await ask(source, "links down nas-netapp")).toContain("stale");
  });

  it("keeps the last data when Prometheus is down, marks it stale and names the error in fleet", async () => {
    const r = await source.fleetSources[0]!.cycle();
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:\d+ did not answer/);
    clock.advance(5 * 60_000);
    const fleet = await ask(source, "fleet");
    expect(fleet).toMatch(/Source prometheus: ⚠ failing: Prometheus at .* did not answer/);
    expect(fleet).toContain("Stale data: 7 devices with data older than two poll intervals");
    const links = await ask(source, "links down core-sw1");
    expect(links).toContain("Te1/1/2");
    expect(links).toMatch(/⚠ stale: data up to \d+m old \(polled every 1m\)/);
  });
});
