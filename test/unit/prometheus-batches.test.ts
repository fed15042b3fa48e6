import { describe, expect, it } from "vitest";
import { compareOids } from "../../src/management/collectors/snmp/walk-columns.js";
import { escapeRegex, labelMatcher, splitBatches } from "../../src/management/sources/prometheus/batches.js";
import { batchQuery, readBatch } from "../../src/management/sources/prometheus/fleet-snapshot.js";
import { stepFor } from "../../src/management/sources/prometheus/history-reader.js";
import { MIB_COLUMNS } from "../../src/management/sources/prometheus/mib-columns.js";

const columns = new Map(MIB_COLUMNS.map((c) => [c.name, c]));

describe("Prometheus source batches", () => {
  it("escapes regex metacharacters so a label value matches only itself", () => {
    const values = ["sw1.example.net:161", "a|b", "x(1)+[2]*?{3}^$\\"];
    const re = new RegExp(`^(?:${values.map(escapeRegex).join("|")})$`);
    for (const v of values) expect(re.test(v)).toBe(true);
    for (const v of ["sw1Xexample.net:161", "a", "b", "x1"]) expect(re.test(v)).toBe(false);
    // A PromQL string literal: backslashes and quotes escaped once more.
    expect(labelMatcher("instance", ['r"1', "a.b", "a.b"])).toBe('instance=~"r\\"1|a\\\\.b"');
  });

  it("splits by device count and by characters, never leaving a target out", () => {
    const targets = Array.from({ length: 7 }, (_, i) => ({ name: `d${i}`, values: [`d${i}`] }));
    expect(splitBatches(targets, { devices: 3, chars: 1000 }).map((b) => b.map((t) => t.name))).toEqual([
      ["d0", "d1", "d2"],
      ["d3", "d4", "d5"],
      ["d6"],
    ]);
    const long = [{ name: "big", values: ["x".repeat(50)] }, ...targets.slice(0, 2)];
    expect(splitBatches(long, { devices: 100, chars: 10 }).map((b) => b.map((t) => t.name))).toEqual([
      ["big"],
      ["d0", "d1"],
    ]);
  });

  it("one query per batch names every candidate value and the configured matchers", () => {
    const q = batchQuery([{ name: "sw1", values: ["sw1", "10.0.0.1:161"] }], "instance", 'job="snmp"');
    expect(q).toContain('timestamp(up{instance=~"sw1|10\\\\.0\\\\.0\\\\.1:161",job="snmp"})');
    expect(q).toContain('{__name__=~"up|sysDescr|');
  });

  it("reads scrape times, up and MIB entries per device, entries in OID order", () => {
    const s = (labels: Record<string, string>, value: number) => ({ labels, value, at: 0 });
    const read = readBatch(
      [
        s({ instance: "a", opsbot_scrape_ts: "1" }, 1700000000.5),
        s({ __name__: "up", instance: "a" }, 1),
        s({ __name__: "ifOperStatus", instance: "a", ifIndex: "10" }, 2),
        s({ __name__: "ifOperStatus", instance: "a", ifIndex: "9" }, 1),
        s({ __name__: "ifAlias", instance: "a", ifIndex: "2", ifAlias: "uplink" }, 1),
        s({ __name__: "sysUpTime", instance: "a" }, 100),
        s({ __name__: "ifOperStatus", instance: "a", ifIndex: "bad" }, 1),
        s({ __name__: "ifOperStatus", instance: "b", ifIndex: "1" }, 1),
      ],
      columns,
      "instance",
    );
    expect(read.scrapedAt.get("a")).toBe(1700000000500);
    expect(read.up.get("a")).toBe(1);
    const entries = read.take("a");
    expect(entries.map((e) => e.oid)).toEqual(entries.map((e) => e.oid).sort(compareOids));
    expect(entries.map((e) => e.value)).toEqual([100, 1, 2, "uplink"]);
    expect(read.take("a")).toEqual([]);
    expect(read.take("b")).toHaveLength(1);
  });
});

describe("Prometheus history step", () => {
  it("follows the range and the chart's width, on round steps", () => {
    expect(stepFor(3_600_000, 2100)).toBe(15_000);
    expect(stepFor(86_400_000, 2100)).toBe(60_000);
    expect(stepFor(7 * 86_400_000, 2016)).toBe(300_000);
    expect(stepFor(365 * 86_400_000, 2100)).toBe(21_600_000);
  });
});
