import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { replyToPlainText } from "../../src/chat/reply.js";
import { poll } from "../../src/cli/poll.js";
import { configSchema, type DeviceConfig } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createCollector, createCore } from "../../src/main.js";
import { RecordingChat } from "../support/recording-chat.js";
import { type SnmpdAgent, startSnmpd } from "../support/snmp-agents.js";

/**
 * An SNMPv3 device whose credentials stop working after one good poll, against Debian's snmpd with a
 * real v3 user: the failed polls must not make its old data look fresh, the device shows the error
 * and goes stale on schedule, and `poll --once` exits non-zero.
 */
const MIN = 60_000;

describe("a poll refused by the agent (SNMPv3 auth) refreshes nothing", () => {
  let snmpd: SnmpdAgent;
  let dir: string;

  beforeAll(async () => {
    snmpd = await startSnmpd();
    dir = mkdtempSync(join(tmpdir(), "opsbot-auth-fail-"));
  }, 60_000);
  afterAll(async () => {
    await snmpd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());

  const device = (authKey?: string): DeviceConfig =>
    snmpd.v3Device({ name: "v3-host", collect: ["system", "interfaces"], ...(authKey ? { authKey } : {}) });

  it("the device shows the error, its data ages and goes stale on schedule, fleet says so", async () => {
    const dbPath = join(dir, "core.db");
    const clock = new ManualClock();
    const open = (d: DeviceConfig) => {
      const collector = createCollector({ logger: silentLogger(), clock });
      const config = configSchema.parse({ devices: [d] });
      const core = createCore({
        config,
        dbPath,
        logger: silentLogger(),
        chat: new RecordingChat(),
        clock,
        collector,
      });
      return { core, collector };
    };
    const ask = async (core: ReturnType<typeof open>["core"], text: string) => {
      const r = await core.router.handle(text, {
        user: { id: "u", name: "u", roles: [] },
        channel: "c",
        transport: "console",
      });
      return replyToPlainText(r.reply);
    };

    const good = open(device());
    const [first] = await good.core.poller!.pollAll();
    expect(first).toMatchObject({ status: "ok", reachable: true });
    await good.core.shutdown();
    await good.collector.close();

    const bad = open(device("wrong-auth-key-1"));
    try {
      clock.advance(3 * MIN);
      const [refused] = await bad.core.poller!.pollAll();
      expect(refused).toMatchObject({ status: "failed", reachable: false });
      expect(refused!.error).toMatch(/SNMPv3 authentication with 127\.0\.0\.1:\d+ failed/);
      const answer = await ask(bad.core, "device v3-host");
      expect(answer).toMatch(/SNMPv3 authentication .* failed/);
      expect(answer).toContain("last reached 3m ago");
      expect(answer).not.toMatch(/data 0s old/);

      clock.advance(8 * MIN);
      await bad.core.poller!.pollAll();
      const fleet = await ask(bad.core, "fleet");
      expect(fleet).toContain("Reachable: 0 of 1, 1 not answering");
      expect(fleet).toContain("Stale data: 1 device with data older than two poll intervals");
      expect(fleet).toContain("⚠ stale: data up to 11m old");
      // links counts its old ports as stale, not fresh.
      expect(await ask(bad.core, "links down")).toContain("stale or no data: v3-host");
    } finally {
      await bad.core.shutdown();
      await bad.collector.close();
    }
  }, 60_000);

  it("poll --once exits 0 on a good poll and 2 once the credentials are refused", async () => {
    const configPath = join(dir, "opsbot.yaml");
    const dbPath = join(dir, "cli.db");
    const write = (d: DeviceConfig) => writeFileSync(configPath, stringify({ devices: [d] }));
    const out: string[] = [];
    const grab = (chunk: unknown) => {
      out.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(grab);
    vi.spyOn(process.stderr, "write").mockImplementation(grab);
    process.env.OPSBOT_LOG_LEVEL = "silent";
    try {
      write(device());
      expect(await poll.run(["--once", "--config", configPath, "--db", dbPath])).toBe(0);
      write(device("wrong-auth-key-2"));
      out.length = 0;
      expect(await poll.run(["--once", "--config", configPath, "--db", dbPath])).toBe(2);
      expect(out.join("")).toMatch(/v3-host\s+FAILED\s+1 change .*SNMPv3 authentication/);
    } finally {
      delete process.env.OPSBOT_LOG_LEVEL;
    }
  }, 60_000);
});
