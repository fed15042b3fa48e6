import type { Socket } from "node:dgram";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReplayAgent } from "../../bench/support/replay-agent.js";
import { deviceSchema } from "../../src/config/schema.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createAgentLimiter } from "../../src/management/collectors/snmp/agent-limiter.js";
import { IF_COLUMNS } from "../../src/management/collectors/snmp/oids.js";
import { openSnmpClient, type SnmpClient } from "../../src/management/collectors/snmp/snmp-client.js";
import { walkColumns } from "../../src/management/collectors/snmp/walk-columns.js";
import { FIXTURE_DIR } from "../support/snmp-agents.js";

/**
 * The row-count hint (ifNumber) only sizes GetBulk requests: right, it saves the varbinds past the
 * table's end; wrong either way, the walk still returns every row. Against the replay agent serving
 * the 48-port switch (53 ifTable rows) on loopback.
 */
describe("walkColumns with a row-count hint", () => {
  let agent: { port: number; socket: Socket };
  let client: SnmpClient;
  const columns = Object.values(IF_COLUMNS);
  const counted = { requests: 0, varbinds: 0 };

  beforeAll(async () => {
    agent = await startReplayAgent(join(FIXTURE_DIR, "switch48.snmprec"), "switch48");
    const device = deviceSchema.parse({
      name: "sw",
      host: "127.0.0.1",
      snmp: { port: agent.port, version: "2c", community: "switch48", max_repetitions: 25 },
    });
    const real = openSnmpClient(device, { limiter: createAgentLimiter(4), logger: silentLogger() });
    client = {
      ...real,
      getBulkReply: async (oids, repetitions) => {
        const reply = await real.getBulkReply!(oids, repetitions);
        counted.requests++;
        for (let j = 0; j < reply.lists; j++) counted.varbinds += reply.size(j);
        return reply;
      },
    };
  });

  afterAll(() => {
    client?.close();
    agent?.socket.close();
  });

  const walk = async (expectedRows?: number) => {
    counted.requests = 0;
    counted.varbinds = 0;
    const rows = await walkColumns(client, columns, expectedRows === undefined ? {} : { expectedRows });
    return { rows: [...rows], ...counted };
  };

  it("a right hint reads the same rows with the overshoot past the end left out", async () => {
    const plain = await walk();
    const hinted = await walk(53);
    expect(plain.rows).toHaveLength(53);
    expect(hinted.rows).toEqual(plain.rows);
    // 25 + 25 + (3 left + 1 to see the end) repetitions of 16 columns, instead of 3 × 25.
    expect(hinted.requests).toBe(3);
    expect(hinted.varbinds).toBe((25 + 25 + 4) * columns.length);
    expect(plain.varbinds).toBeGreaterThan(hinted.varbinds + 300);
  });

  it.each([1, 10, 52, 54, 500])("a wrong hint (%i rows) still returns every row", async (hint) => {
    const plain = await walk();
    expect((await walk(hint)).rows).toEqual(plain.rows);
  });
});
