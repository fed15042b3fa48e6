import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/lib/logger.js";
import { createAgentLimiter } from "../../src/management/collectors/snmp/agent-limiter.js";
import { IF_COLUMNS } from "../../src/management/collectors/snmp/oids.js";
import { openSnmpClient, type SnmpClient } from "../../src/management/collectors/snmp/snmp-client.js";
import { counter64 } from "../../src/management/collectors/snmp/values.js";
import { compareOids, walkColumns } from "../../src/management/collectors/snmp/walk-columns.js";
import { FIXTURE_DIR, type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

/**
 * SNMPv2c GetBulk replies are read into a walk's rows straight from the packet (raw-bulk-reply.ts):
 * no varbind objects, column and row found on the OIDs' bytes. The same walk through varbind
 * objects (the client without getBulkReply, as SNMPv3 and the Prometheus view are walked) must give
 * exactly the same rows, for every fixture served by snmpsimd: multi-arc indexes, sparse columns,
 * Counter64 beyond 2^53 (read in place into the bigint counter64() makes of the object path's
 * Buffer), a column ending at the end of the MIB view, replies crossing from one
 * column into the next and cut short by snmpsimd's varbind cap. Independently of the comparison,
 * every value the fixture holds under a walked column is in the rows, and nothing else.
 */
const FIXTURES = ["switch48", "no-entity", "idrac", "hpe-smartarray", "netapp", "synology"];

/** The fixture's OIDs in order, with its columns: every OID's parent, and its parent's parent. */
function fixture(name: string): { oids: string[]; columns: string[] } {
  const oids = readFileSync(join(FIXTURE_DIR, `${name}.snmprec`), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.split("|")[0]!)
    .sort(compareOids);
  const parents = new Set<string>();
  for (const oid of oids) {
    const arcs = oid.split(".");
    parents.add(arcs.slice(0, -1).join("."));
    parents.add(arcs.slice(0, -2).join("."));
  }
  return { oids, columns: [...parents].sort(compareOids) };
}

describe("walkColumns reading GetBulk replies in place", () => {
  let sim: SnmpsimAgent;
  const clients: SnmpClient[] = [];

  beforeAll(async () => {
    sim = await startSnmpsim({ fixtures: FIXTURES });
  }, 90_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await sim?.stop();
  });

  const open = (community: string, maxRepetitions: number): SnmpClient => {
    const device = sim.device(community, { max_repetitions: maxRepetitions, timeout_ms: 5000 });
    const client = openSnmpClient(device, { limiter: createAgentLimiter(4), logger: silentLogger() });
    clients.push(client);
    return client;
  };

  /** The same walk in place and through varbind objects; both rows, checked equal. */
  const bothWays = async (client: SnmpClient, columns: readonly string[], expectedRows?: number) => {
    expect(client.getBulkReply).toBeDefined();
    const options = expectedRows === undefined ? {} : { expectedRows };
    const inPlace = await walkColumns(client, columns, options);
    const viaObjects = await walkColumns({ ...client, getBulkReply: undefined }, columns, options);
    // The one difference allowed: a Counter64 read in place comes as the bigint counter64() reads
    // from the object path's Buffer.
    const same = [...viaObjects].map(([index, row]) => [
      index,
      row.map((value, c) => {
        const cell = inPlace.get(index)?.[c];
        return typeof cell === "bigint" && Buffer.isBuffer(value) ? counter64(value) : value;
      }),
    ]);
    expect([...inPlace]).toEqual(same);
    return inPlace;
  };

  it.each(FIXTURES)(
    "%s: every column, in place and through objects alike, nothing lost",
    async (name) => {
      const { oids, columns } = fixture(name);
      for (const repetitions of [4, 25]) {
        const rows = await bothWays(open(name, repetitions), columns);
        columns.forEach((column, c) => {
          const expected = oids
            .filter((oid) => oid.startsWith(`${column}.`))
            .map((oid) => oid.slice(column.length + 1));
          const got = [...rows].filter(([, row]) => row[c] !== undefined).map(([index]) => index);
          expect(got.sort(compareOids), `${name} ${column} (${repetitions} repetitions)`).toEqual(expected);
        });
      }
    },
    60_000,
  );

  it("48-port switch: Counter64 beyond 2^53 exact, rows sized by a right or wrong hint alike", async () => {
    const client = open("switch48", 25);
    const columns = Object.values(IF_COLUMNS);
    const hcIn = columns.indexOf(IF_COLUMNS.ifHCInOctets);
    const rows = await bothWays(client, columns, 53);
    expect(rows.size).toBe(53);
    const big = [...rows.values()].map((row) => counter64(row[hcIn])!).filter((v) => v > 2n ** 53n);
    expect(big.length).toBeGreaterThan(0);
    for (const hint of [1, 52, 54]) expect([...(await bothWays(client, columns, hint))]).toEqual([...rows]);
  });

  it("a sparse column that ends at the end of the MIB view (ifAlias on the IOS switch)", async () => {
    const columns = [IF_COLUMNS.ifName, IF_COLUMNS.ifAlias];
    const rows = await bothWays(open("no-entity", 25), columns);
    const withAlias = [...rows.values()].filter((row) => row[1] !== undefined);
    expect(rows.size).toBe(8);
    expect(withAlias).toHaveLength(3);
  });
});
