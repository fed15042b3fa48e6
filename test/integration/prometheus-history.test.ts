import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import type { SeriesData } from "../../src/management/history/metrics.js";
import { bluePixelsInFirstPlot } from "../support/png-plot.js";
import { type RunningService, startPrometheus } from "../support/prometheus-stack.js";
import { RecordingChat } from "../support/recording-chat.js";
import { tempDir } from "../support/temp.js";

/**
 * History of a Prometheus-sourced device comes from Prometheus (`query_range`), not opsbot's series
 * tables: a real Prometheus is loaded (promtool blocks) with a known switch port — 1,000 B/s in and
 * 500 B/s out for 15 minutes, no samples for 10 minutes (the device was gone), then 2,000 B/s —
 * and the reader must give those rates back with the gap kept as a gap; `graph` draws it.
 */
const STEP_S = 15;
const MIN = 60_000;
const base = Math.floor((Date.now() - 40 * MIN) / (STEP_S * 1000)) * STEP_S * 1000;
/** Sample times (ms): minutes 0–15 and 25–39 after base. */
const times = [
  ...Array.from({ length: (15 * 60) / STEP_S + 1 }, (_, i) => base + i * STEP_S * 1000),
  ...Array.from({ length: (14 * 60) / STEP_S + 1 }, (_, i) => base + 25 * MIN + i * STEP_S * 1000),
];

/** Bytes in at `t`: 1,000 B/s until the gap, 2,000 B/s after it (the counter carries on). */
function inOctets(t: number): number {
  const s = (t - base) / 1000;
  return s <= 15 * 60 ? 1000 * s : 1000 * 15 * 60 + 2000 * (s - 25 * 60);
}

function openMetrics(): string {
  const lines: string[] = [];
  const family = (name: string, labels: string, value: (t: number, i: number) => number) => {
    lines.push(`# TYPE ${name} gauge`);
    for (const [i, t] of times.entries()) {
      lines.push(`${name}{instance="sw-hist",job="snmp"${labels}} ${value(t, i)} ${(t / 1000).toFixed(3)}`);
    }
  };
  const port = ',ifIndex="1"';
  family("ifHCInOctets", port, inOctets);
  family("ifHCOutOctets", port, (t) => 500 * ((t - base) / 1000));
  family("ifInErrors", port, (_t, i) => i);
  family("ifOutErrors", port, () => 0);
  family("ifInDiscards", port, () => 0);
  family("ifOutDiscards", port, () => 0);
  family("ifOperStatus", port, () => 1);
  family("ifAdminStatus", port, () => 1);
  family("ifHighSpeed", port, () => 1000);
  family("ifName", `${port},ifName="Gi1/0/1"`, () => 1);
  family("ifAlias", `${port},ifAlias="uplink"`, () => 1);
  family("up", "", () => 1);
  family("scrape_duration_seconds", "", () => 0.25);
  family("sysUpTime", "", (t) => Math.round((t - base) / 10) + 100_000);
  family("sysDescr", ',sysDescr="Cisco IOS Software, C3850 Software, Version 16.12.4"', () => 1);
  family("sysName", ',sysName="sw-hist"', () => 1);
  return `${lines.join("\n")}\n# EOF\n`;
}

let prom: RunningService;
let core: Core;
const dir = tempDir();

const ask = async (text: string) => {
  const r = await core.router.handle(text, {
    user: { id: "alice", name: "alice", roles: [] },
    channel: "console",
    transport: "console",
  });
  return { ...r, text: replyToPlainText(r.reply) };
};

const at = (d: SeriesData, t: number) => d.points.find((p) => p.at === t)?.value;

beforeAll(async () => {
  prom = await startPrometheus("global: { scrape_interval: 1h }\nscrape_configs: []\n", openMetrics());
  core = createCore({
    config: parseConfig(
      JSON.stringify({
        sources: { prometheus: { url: prom.url, matchers: 'job="snmp"', rate_window: "1m" } },
        devices: [{ name: "sw-hist", host: "sw-hist", via: "prometheus" }],
      }),
      "test.yaml",
      {},
    ),
    dbPath: join(dir.path, "opsbot.db"),
    logger: silentLogger(),
    chat: new RecordingChat(),
  });
  expect(await core.fleetSources[0]!.cycle()).toMatchObject({ ok: true, recorded: 1 });
}, 120_000);

afterAll(async () => {
  await core?.shutdown();
  await prom?.stop();
  dir.cleanup();
});

describe("history of a Prometheus-sourced device", () => {
  it("reads rates from query_range on a step grid, the gap kept as nulls", async () => {
    const data = await core.fleetSources[0]!.history.read({
      device: "sw-hist",
      object: "Gi1/0/1",
      metrics: ["in_bps", "out_bps", "errors_ps", "reachable"],
      from: base,
      to: base + 40 * MIN,
      maxPoints: 200,
    });
    const [inBps, outBps, errors, up] = data as [SeriesData, SeriesData, SeriesData, SeriesData];
    expect(data.map((d) => [d.metric, d.stepMs, d.points.length])).toEqual([
      ["in_bps", 15_000, 161],
      ["out_bps", 15_000, 161],
      ["errors_ps", 15_000, 161],
      ["reachable", 15_000, 161],
    ]);
    expect(at(inBps, base + 5 * MIN)).toBeCloseTo(8000, 3);
    expect(at(outBps, base + 5 * MIN)).toBeCloseTo(4000, 3);
    expect(at(errors, base + 5 * MIN)).toBeCloseTo(1 / 15, 6);
    expect(at(up, base + 5 * MIN)).toBe(1);
    expect(at(inBps, base + 35 * MIN)).toBeCloseTo(16_000, 3);
    // No samples from minute 15 to 25: nulls there (a gap), never a line joined across it.
    expect(at(inBps, base + 20 * MIN)).toBeNull();
    expect(at(up, base + 20 * MIN)).toBeNull();
    const gap = inBps.points.filter((p) => p.at > base + 17 * MIN && p.at < base + 25 * MIN);
    expect(gap.length).toBeGreaterThan(25);
    expect(gap.every((p) => p.value === null)).toBe(true);
    // A window away from the edges every value is the true rate (Prometheus extrapolates at the edges).
    const inside = (from: number, to: number) =>
      inBps.points.filter((p) => p.at >= base + from * MIN && p.at <= base + to * MIN).map((p) => p.value);
    expect(inside(2, 14).every((v) => v !== null && Math.abs(v - 8000) < 1)).toBe(true);
    expect(inside(27, 38).every((v) => v !== null && Math.abs(v - 16_000) < 1)).toBe(true);
  });

  it("graph draws the port from Prometheus: a PNG with the in series in the plot area", async () => {
    const { reply, outcome, text } = await ask("graph sw-hist Gi1/0/1 1h");
    expect(outcome).toBe("ok");
    const file = reply.files?.[0];
    expect(file?.filename).toBe("sw-hist-Gi1-0-1-1h.png");
    const png = bluePixelsInFirstPlot(file!.content as Uint8Array);
    expect(png.drawn).toBeGreaterThan(50);
    // opsbot's own series tables hold nothing for it: the values came from Prometheus.
    const stored = core.store.db.prepare("SELECT count(*) FROM series WHERE device = 'sw-hist'").pluck();
    expect(stored.get()).toBe(0);
    expect(text).toMatch(/in [▁▂▃▄▅▆▇█ ]+ /);
  });
});
