import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import {
  batchQuery,
  createBatchReader,
  rawBatchQuery,
  readFleetBatch,
} from "../../src/management/sources/prometheus/fleet-snapshot.js";
import { MIB_COLUMNS } from "../../src/management/sources/prometheus/mib-columns.js";
import { createPrometheusApi } from "../../src/management/sources/prometheus/prometheus-api.js";
import { type RunningService, startPrometheus } from "../support/prometheus-stack.js";
import { RecordingChat } from "../support/recording-chat.js";
import { tempDir } from "../support/temp.js";

/**
 * The batch query keeps only the labels the collectors read on ifTable series (see batchQuery). Real
 * Prometheus, loaded with series as snmp_exporter modules other than opsbot's write them (promtool
 * blocks, so the test controls what an ordinary scrape cannot: two series of one port that differ
 * only in a label the query drops, with no staleness marker between them):
 * - sw-lookups: if_mib-style lookups (ifName, ifAlias, ifDescr on every port series; port 2 has an
 *   empty alias, so no ifAlias label at all), extra target labels (job, module, instance = the
 *   exporter), and the device named by its own label (`device_label: switch`);
 * - sw-dup: port 1's status held twice, under its old and its new alias (an alias changed within the
 *   lookback and Prometheus restarted in between: no staleness marker), with different values.
 */
const SAMPLE_AT = Date.now() - 30_000;
const LOOKUP_PORTS: Array<[number, string, string, number]> = [
  [1, "Gi1/0/1", "uplink core", 1],
  [2, "Gi1/0/2", "", 1],
  [3, "Gi1/0/3", "printer", 2],
];

function openMetrics(): string {
  const ts = (SAMPLE_AT / 1000).toFixed(3);
  const target = (sw: string) => `switch="${sw}",instance="127.0.0.1:9116",job="snmp",module="if_mib"`;
  const lookups = (name: string, alias: string) =>
    `ifDescr="GigabitEthernet${name.slice(2)}",ifName="${name}"${alias ? `,ifAlias="${alias}"` : ""}`;
  const families = new Map<string, string[]>();
  const add = (name: string, labels: string, value: number, at = ts) => {
    if (!families.has(name)) families.set(name, []);
    families.get(name)!.push(`${name}{${labels}} ${value} ${at}`);
  };
  for (const sw of ["sw-lookups", "sw-dup"]) {
    add("up", target(sw), 1);
    add("sysUpTime", target(sw), 360000);
    add("sysName", `${target(sw)},sysName="${sw}"`, 1);
    add("sysDescr", `${target(sw)},sysDescr="Cisco IOS Software, C3850"`, 1);
  }
  for (const [i, name, alias, oper] of LOOKUP_PORTS) {
    const l = `${target("sw-lookups")},ifIndex="${i}",${lookups(name, alias)}`;
    for (const [metric, value] of [
      ["ifOperStatus", oper],
      ["ifAdminStatus", 1],
      ["ifHighSpeed", 1000],
      ["ifInErrors", i * 10],
      ["ifHCInOctets", i * 1000],
    ] as const)
      add(metric, l, value);
    add("ifName", l, 1);
    add("ifDescr", l, 1);
    add("ifAlias", l, 1);
  }
  // sw-dup: port 1 under its old alias (status up, 30 s older) and its new one (status down).
  const older = ((SAMPLE_AT - 30_000) / 1000).toFixed(3);
  for (const [alias, oper, at] of [
    ["old", 1, older],
    ["new", 2, ts],
  ] as const) {
    const l = `${target("sw-dup")},ifIndex="1",${lookups("Gi1/0/1", alias)}`;
    add("ifOperStatus", l, oper, at);
    add("ifAdminStatus", l, 1, at);
    add("ifAlias", l, 1, at);
  }
  const l2 = `${target("sw-dup")},ifIndex="2",${lookups("Gi1/0/2", "")}`;
  add("ifOperStatus", l2, 1);
  add("ifAdminStatus", l2, 1);
  add("ifName", `${target("sw-dup")},ifIndex="1",${lookups("Gi1/0/1", "new")}`, 1);
  add("ifName", l2, 1);
  const out: string[] = [];
  for (const [name, lines] of families) out.push(`# TYPE ${name} gauge`, ...lines);
  return `${out.join("\n")}\n# EOF\n`;
}

const COLUMNS = new Map(MIB_COLUMNS.map((c) => [c.name, c]));
const BATCH = [
  { name: "sw-lookups", values: ["sw-lookups"] },
  { name: "sw-dup", values: ["sw-dup"] },
];
const MATCHERS = 'job="snmp"';

let prom: RunningService;
let core: Core;
const dirs: Array<{ cleanup(): void }> = [];

beforeAll(async () => {
  prom = await startPrometheus("global: { scrape_interval: 1h }\nscrape_configs: []\n", openMetrics());
  const dir = tempDir();
  dirs.push(dir);
  core = createCore({
    config: parseConfig(
      JSON.stringify({
        sources: {
          prometheus: {
            url: prom.url,
            interval: "1m",
            matchers: MATCHERS,
            device_label: "switch",
            batch_size: 2,
          },
        },
        devices: BATCH.map((b) => ({ name: b.name, host: b.name, via: "prometheus" })),
      }),
      "test.yaml",
      {},
    ),
    dbPath: join(dir.path, "opsbot.db"),
    logger: silentLogger(),
    chat: new RecordingChat(),
  });
}, 120_000);

afterAll(async () => {
  await core?.shutdown();
  await prom?.stop();
  for (const d of dirs) d.cleanup();
});

const api = () => createPrometheusApi({ url: prom.url, timeoutMs: 10_000 });

/** A batch read through the given query, as the collectors get it. */
async function snapshot(promql: string) {
  const read = await api().queryInto(promql, () => createBatchReader(COLUMNS, "switch"));
  return Object.fromEntries(BATCH.map((b) => [b.name, read.take(b.name)]));
}

async function ask(text: string): Promise<string> {
  const r = await core.router.handle(text, {
    user: { id: "u", name: "u", roles: [] },
    channel: "test",
    transport: "console",
  });
  return replyToPlainText(r.reply);
}

describe("Prometheus source: the batch query's shape", () => {
  it("ifTable series come back with only the metric name, the device label, ifIndex (and a string's own label)", async () => {
    const answer = await api().query(batchQuery(BATCH, "switch", MATCHERS));
    const keys = (name: string, sw: string) =>
      answer
        .filter((s) => s.labels.__name__ === name && s.labels.switch === sw)
        .map((s) => Object.keys(s.labels).sort());
    expect(keys("ifOperStatus", "sw-lookups")).toEqual(Array(3).fill(["__name__", "ifIndex", "switch"]));
    // A string keeps its own label (and the lookups of its neighbours: the three strings read together).
    expect(keys("ifAlias", "sw-lookups")).toContainEqual([
      "__name__",
      "ifAlias",
      "ifDescr",
      "ifIndex",
      "ifName",
      "switch",
    ]);
    // Port 2's alias is empty (no ifAlias label): still its own series, not hidden by port 2's numbers.
    expect(
      answer.filter((s) => s.labels.__name__ === "ifAlias" && s.labels.switch === "sw-lookups"),
    ).toHaveLength(3);
    // Other tables and scalars are read whole.
    expect(
      answer.find((s) => s.labels.__name__ === "sysUpTime" && s.labels.switch === "sw-lookups")?.labels,
    ).toMatchObject({ job: "snmp", module: "if_mib", instance: "127.0.0.1:9116" });
  });

  it("reads the same rows as the whole series would give, device by device; a port held twice is read whole", async () => {
    const whole = await snapshot(rawBatchQuery(BATCH, "switch", MATCHERS));
    const queries: string[] = [];
    const read = await readFleetBatch(BATCH, {
      columns: COLUMNS,
      deviceLabel: "switch",
      matchers: MATCHERS,
      query: async (promql, sink) => {
        queries.push(promql);
        return Object.assign(await api().queryInto(promql, sink), { series: 0 });
      },
    });
    expect(read.readWhole).toEqual(["sw-dup"]);
    expect(queries).toEqual([
      batchQuery(BATCH, "switch", MATCHERS),
      rawBatchQuery([BATCH[1]!], "switch", MATCHERS),
    ]);
    for (const b of BATCH)
      expect({ device: b.name, ...read.take(b.name) }).toEqual({ device: b.name, ...whole[b.name] });
    expect(read.scrapedAt.get("sw-dup")).toBe(SAMPLE_AT);
    // Not vacuous: the shaped answer alone merges sw-dup's two port-1 statuses into their maximum,
    // which the whole series do not say; sw-lookups reads the same either way.
    const shapedOnly = await snapshot(batchQuery(BATCH, "switch", MATCHERS));
    expect(shapedOnly["sw-dup"]).not.toEqual(whole["sw-dup"]);
    expect(shapedOnly["sw-lookups"]).toEqual(whole["sw-lookups"]);
  });

  it("a cycle records both devices with their ports, names and aliases", async () => {
    const r = await core.fleetSources[0]!.cycle();
    expect(r).toMatchObject({ ok: true, recorded: 2, failedBatches: 0 });
    const down = await ask("links down sw-lookups");
    expect(down).toContain("Gi1/0/3");
    expect(down).toContain("printer");
    expect(down).not.toContain("Gi1/0/1");
    const links = await ask("links sw-lookups");
    expect(links).toContain("uplink core");
    expect(links).toContain("Gi1/0/2");
  });
});
