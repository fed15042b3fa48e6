import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/lib/clock.js";
import { INTERFACE_COLUMNS } from "../../src/management/collectors/snmp/collect-interfaces.js";
import {
  ALL_SNMP_COLLECTORS,
  collectWithClient,
} from "../../src/management/collectors/snmp/collect-with-client.js";
import { IF_COLUMNS } from "../../src/management/collectors/snmp/oids.js";
import { compareOids } from "../../src/management/collectors/snmp/walk-columns.js";
import { escapeRegex, labelMatcher, splitBatches } from "../../src/management/sources/prometheus/batches.js";
import { batchQuery, readBatch } from "../../src/management/sources/prometheus/fleet-snapshot.js";
import { stepFor } from "../../src/management/sources/prometheus/history-reader.js";
import { MIB_COLUMNS } from "../../src/management/sources/prometheus/mib-columns.js";
import { createMibView } from "../../src/management/sources/prometheus/mib-view.js";

const columns = new Map(MIB_COLUMNS.map((c) => [c.name, c]));
const COLLECTORS = new Set(ALL_SNMP_COLLECTORS);

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

  it("reads scrape times, up, ifTable rows and other MIB entries per device, entries in OID order", () => {
    const s = (labels: Record<string, string>, value: number) => ({ labels, value, at: 0 });
    const read = readBatch(
      [
        s({ instance: "a", opsbot_scrape_ts: "1" }, 1700000000.5),
        s({ __name__: "up", instance: "a" }, 1),
        s({ __name__: "ifOperStatus", instance: "a", ifIndex: "10" }, 2),
        s({ __name__: "ifOperStatus", instance: "a", ifIndex: "9" }, 1),
        s({ __name__: "ifAlias", instance: "a", ifIndex: "2", ifAlias: "uplink" }, 1),
        s({ __name__: "sysUpTime", instance: "a" }, 100),
        s({ __name__: "sysDescr", instance: "a", sysDescr: "IOS" }, 1),
        s({ __name__: "ifOperStatus", instance: "a", ifIndex: "bad" }, 1),
        s({ __name__: "ifHighSpeed", instance: "a", ifIndex: "9" }, Number.NaN),
        s({ __name__: "ifOperStatus", instance: "b", ifIndex: "1" }, 1),
      ],
      columns,
      "instance",
    );
    expect(read.scrapedAt.get("a")).toBe(1700000000500);
    expect(read.up.get("a")).toBe(1);
    const a = read.take("a");
    expect(a.entries.map((e) => e.oid)).toEqual(a.entries.map((e) => e.oid).sort(compareOids));
    expect(a.entries.map((e) => e.value)).toEqual(["IOS", 100]);
    const oper = INTERFACE_COLUMNS.indexOf(IF_COLUMNS.ifOperStatus);
    const alias = INTERFACE_COLUMNS.indexOf(IF_COLUMNS.ifAlias);
    const high = INTERFACE_COLUMNS.indexOf(IF_COLUMNS.ifHighSpeed);
    expect([...a.interfaces.keys()]).toEqual(["10", "9", "2"]);
    expect(a.interfaces.get("10")![oper]).toBe(2);
    expect(a.interfaces.get("9")![high]).toBeUndefined(); // NaN is no value
    expect(String(a.interfaces.get("2")![alias])).toBe("uplink");
    expect(read.take("a")).toEqual({ entries: [], interfaces: new Map() });
    expect(read.take("b").interfaces.size).toBe(1);
  });

  it("ifTable rows built from series give the observations a walk over the MIB view gives", async () => {
    // The same series two ways: every one as a MIB entry walked by the collectors (how the source read
    // them before), and ifTable/ifXTable as rows handed to collectWithClient. Edge cases included:
    // a Counter64 past 2^53, strings with padding and NULs, a port with only some columns, an index
    // that is not a number, a duplicate series (the last wins in both), a port without ifTable cells.
    const series: Array<[Record<string, string>, number]> = [
      [{ __name__: "sysUpTime" }, 123_456],
      [{ __name__: "sysDescr", sysDescr: "Cisco IOS Software, C3850, Version 16.12.4" }, 1],
      [{ __name__: "sysName", sysName: "sw1" }, 1],
      [{ __name__: "sysObjectID", sysObjectID: "1.3.6.1.4.1.9.1.2066" }, 1],
    ];
    for (let i = 1; i <= 12; i++) {
      const ix = { ifIndex: String(i) };
      series.push(
        [{ __name__: "ifOperStatus", ...ix }, i % 5 === 0 ? 2 : 1],
        [{ __name__: "ifAdminStatus", ...ix }, i === 7 ? 2 : 1],
        [{ __name__: "ifHighSpeed", ...ix }, 1000],
        [{ __name__: "ifLastChange", ...ix }, 500 * i],
        [{ __name__: "ifInErrors", ...ix }, i],
        [{ __name__: "ifHCInOctets", ...ix }, i === 3 ? 2 ** 60 + 4096 : 1e6 * i],
        [{ __name__: "ifHCOutOctets", ...ix }, 2e6 * i + 0.4],
        [{ __name__: "ifName", ...ix, ifName: i === 4 ? "  Gi1/0/4 \u0000" : `Gi1/0/${i}` }, 1],
        [
          {
            __name__: "ifAlias",
            ...ix,
            ifAlias: i === 6 ? "lone \uD800 surrogate\u0000\u0000" : i % 4 === 0 ? `uplink ${i}` : "",
          },
          1,
        ],
      );
    }
    series.push(
      [{ __name__: "ifDescr", ifIndex: "13", ifDescr: "Null0" }, 1],
      [{ __name__: "ifInOctets", ifIndex: "13" }, 77],
      [{ __name__: "ifOutOctets", ifIndex: "13" }, 88],
      [{ __name__: "ifSpeed", ifIndex: "13" }, 10_000_000],
      [{ __name__: "ifOperStatus", ifIndex: "x1" }, 1],
      [{ __name__: "ifOperStatus", ifIndex: "2" }, 2],
      [{ __name__: "ifAlias", ifIndex: "20", ifAlias: "only an alias" }, 1],
    );
    const asEntries = series.flatMap(([labels, value]) => {
      const column = columns.get(labels.__name__!)!;
      const index = column.indexes.length === 0 ? "0" : labels[column.indexes[0]!]!;
      if (!/^\d+$/.test(index)) return [];
      const v = column.kind === "string" || column.kind === "oid" ? labels[column.name]! : value;
      return [{ oid: `${column.oid}.${index}`, kind: column.kind, value: v }];
    });
    const clock = new ManualClock(1_700_000_000_000);
    const walked = await collectWithClient("sw1", createMibView("a", asEntries), COLLECTORS, clock);
    const read = readBatch(
      series.map(([labels, value]) => ({ labels: { ...labels, instance: "a" }, value, at: 0 })),
      columns,
      "instance",
    );
    const a = read.take("a");
    expect(a.interfaces.size).toBeGreaterThan(12);
    const given = await collectWithClient(
      "sw1",
      createMibView("a", a.entries, { sorted: true }),
      COLLECTORS,
      clock,
      {
        interfaces: a.interfaces,
      },
    );
    expect(walked.interfaces).toHaveLength(13);
    expect(walked.interfaces!.find((i) => i.ifIndex === 3)!.inOctets).toBe(2n ** 60n + 4096n);
    expect(walked.interfaces!.find((i) => i.ifIndex === 2)!.operStatus).toBe("down");
    expect(walked.interfaces!.find((i) => i.ifIndex === 6)!.alias).toBe("lone \uFFFD surrogate");
    expect(walked.interfaces!.find((i) => i.ifIndex === 4)!.name).toBe("Gi1/0/4");
    expect(given).toEqual(walked);
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
