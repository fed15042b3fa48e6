import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { ask } from "../../src/cli/ask.js";
import { poll } from "../../src/cli/poll.js";
import { freeUdpPort, type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";

/**
 * `opsbot poll` and `opsbot ask` run in-process (their `run`), against snmpsimd on loopback and a real
 * SQLite file: poll --once fills the cache, ask answers from it.
 */
describe("opsbot poll", () => {
  let sim: SnmpsimAgent;
  let dir: string;
  let configPath: string;
  let dbPath: string;
  let out: string[];

  beforeAll(async () => {
    sim = await startSnmpsim({ fixtures: ["switch48"] });
    dir = mkdtempSync(join(tmpdir(), "opsbot-cli-poll-"));
    configPath = join(dir, "opsbot.yaml");
    dbPath = join(dir, "opsbot.db");
    const deadPort = await freeUdpPort();
    writeFileSync(
      configPath,
      stringify({
        roles: { oncall: ["alice"] },
        devices: [
          {
            name: "core-sw1",
            host: "127.0.0.1",
            tags: ["core"],
            snmp: { port: sim.port, community: "switch48" },
          },
          {
            name: "gone-sw9",
            host: "127.0.0.1",
            snmp: { port: deadPort, community: "switch48", timeout_ms: 300, retries: 0 },
          },
        ],
      }),
    );
    process.env.OPSBOT_LOG_LEVEL = "silent";
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
    delete process.env.OPSBOT_LOG_LEVEL;
  });

  const capture = () => {
    out = [];
    const grab = (chunk: unknown) => {
      out.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(grab);
    vi.spyOn(process.stderr, "write").mockImplementation(grab);
  };
  afterEach(() => vi.restoreAllMocks());

  const flags = () => ["--config", configPath, "--db", dbPath];

  it("--once polls every device, prints one line each, and exits 2 when one did not answer", async () => {
    capture();
    const code = await poll.run(["--once", ...flags()]);
    expect(code).toBe(2);
    const text = out.join("");
    expect(text).toMatch(/core-sw1\s+ok\s+4 changes/);
    expect(text).toMatch(
      /gone-sw9\s+UNREACHABLE\s+1 change .*no response from 127\.0\.0\.1:\d+ within 300 ms/,
    );
  }, 60_000);

  it("--once --device polls only that device and exits 0", async () => {
    capture();
    const code = await poll.run(["--once", "--device", "CORE-SW1", "--json", ...flags()]);
    expect(code).toBe(0);
    const outcomes = JSON.parse(out.join(""));
    expect(outcomes).toMatchObject([{ device: "core-sw1", reachable: true, changes: 0, error: null }]);
  }, 60_000);

  it("--device with an unknown name fails before polling, with a suggestion", async () => {
    await expect(poll.run(["--once", "--device", "core-sw11", ...flags()])).rejects.toMatchObject({
      code: "NOT_FOUND",
      details: ["Did you mean core-sw1?"],
    });
  });

  it("ask answers from what poll stored", async () => {
    capture();
    const code = await ask.run([...flags(), "--as", "alice", "links down core"]);
    expect(code).toBe(0);
    const text = out.join("");
    expect(text).toContain("4 ports down on 1 device in tag core");
    expect(text).toMatch(/core-sw1\s+Te1\/1\/2\s+uplink to core-sw3 Te1\/1\/1/);
  }, 60_000);

  it("--help documents the flags", async () => {
    capture();
    expect(await poll.run(["--help"])).toBe(0);
    expect(out.join("")).toContain("--once          poll once and exit");
  });
});
