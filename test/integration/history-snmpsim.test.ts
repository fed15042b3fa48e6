import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { configSchema } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import { createSnmpCollector, type SnmpCollector } from "../../src/management/collectors/snmp/index.js";
import { RecordingChat } from "../support/core.js";
import { bluePixelsInFirstPlot } from "../support/png-plot.js";
import { type SnmpsimAgent, startSnmpsim } from "../support/snmp-agents.js";
import { tempDir } from "../support/temp.js";

/**
 * History end to end against a real agent: snmpsimd's lab-switch, changed between polls through its
 * writecache OIDs (port 3 flapping, port 2 carrying traffic), polled by the real poller into a real
 * SQLite file; then `changes`, `flaps`, `graph` and `links` through the router.
 */
const SYS_UPTIME = "1.3.6.1.2.1.1.3.0";
const IF_IN_OCTETS_2 = "1.3.6.1.2.1.2.2.1.10.2";
const IF_LAST_CHANGE_3 = "1.3.6.1.2.1.2.2.1.9.3";
// Port 2 is 1 Gbit/s on Counter32 counters, which may wrap more than once in 35 s at line rate: only
// polls closer than that give a rate (longer ones are "ambiguous" and charted as unknown).
const POLL_MS = 30_000;

describe("history against snmpsimd writecache flips", () => {
  let sim: SnmpsimAgent;
  let collector: SnmpCollector;
  let core: Core;
  let dir: ReturnType<typeof tempDir>;
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const ask = async (text: string) => {
    const r = await core.router.handle(text, {
      user: { id: "alice", name: "alice", roles: [] },
      channel: "console",
      transport: "console",
    });
    return { ...r, text: replyToPlainText(r.reply) };
  };

  beforeAll(async () => {
    sim = await startSnmpsim({ fixtures: ["lab-switch"] });
    collector = createSnmpCollector({ logger: silentLogger(), clock });
    dir = tempDir();
    const config = configSchema.parse({
      polling: { schedule: "*/5 * * * *", jitter_ms: 0, concurrency: 2 },
      timezone: "Europe/Amsterdam",
      devices: [{ ...sim.device("lab-switch", { name: "lab-sw1" }), tags: ["lab"] }],
    });
    core = createCore({
      config,
      dbPath: join(dir.path, "opsbot.db"),
      logger: silentLogger(),
      chat: new RecordingChat(),
      clock,
      collector,
    });
    // Poll 0, then six polls 30 s apart: port 3 goes down on odd polls and up on even ones, port 2
    // receives 3.75 MB per interval (1 Mbit/s), and sysUpTime runs with the clock.
    let uptime = 360_000;
    let octets = 2000;
    await core.poller!.pollAll();
    for (let i = 1; i <= 6; i++) {
      clock.advance(POLL_MS);
      uptime += POLL_MS / 10;
      octets += 3_750_000;
      await sim.set("lab-switch", SYS_UPTIME, "TimeTicks", uptime);
      await sim.set("lab-switch", IF_IN_OCTETS_2, "Counter32", octets);
      await sim.setOperStatus("lab-switch", 3, i % 2 === 1 ? "down" : "up");
      await sim.set("lab-switch", IF_LAST_CHANGE_3, "TimeTicks", uptime - 100);
      const [outcome] = await core.poller!.pollAll();
      expect(outcome!.error).toBeNull();
    }
    clock.advance(60_000);
  }, 120_000);

  afterAll(async () => {
    await core?.shutdown();
    collector?.close();
    await sim?.stop();
    dir?.cleanup();
  });

  it("changes: the flips newest first, each with how long the port was in its old state", async () => {
    const { text, outcome } = await ask("changes lab-sw1 1h");
    expect(outcome).toBe("ok");
    // Six flips of Gi1/0/3 plus Gi1/0/8, down since the first poll.
    expect(text).toContain("lab-sw1: 7 changes in the last 1h");
    const lines = text.split("\n").filter((l) => l.includes("Gi1/0/3"));
    expect(lines).toHaveLength(6);
    expect(lines[0]).toContain("🟢 Gi1/0/3 up, was down after 30.0s");
    expect(lines[1]).toContain("🔴 Gi1/0/3 down, was up");
    expect(lines[2]).toContain("after 30.0s");
    expect(text).toContain("times in Europe/Amsterdam");
  });

  it("changes: pages, and says so when a scope had nothing", async () => {
    expect((await ask("changes lab 1h --page 2")).text).toContain("Page 2 is past the end");
    expect((await ask("changes lab-sw1 30s")).text).toContain(
      "No changes recorded for lab-sw1 in the last 30s",
    );
  });

  it("flaps: the flapping port first, with its downs and its state now", async () => {
    const { text } = await ask("flaps 1h");
    const rows = text.split("\n").filter((l) => l.startsWith("lab-sw1"));
    expect(rows[0]).toMatch(/^lab-sw1 \| Gi1\/0\/3 \| [^|]* \| 6 \| 3 \| .* \| up$/);
    expect(rows[1]).toMatch(/^lab-sw1 \| Gi1\/0\/8 \| [^|]* \| 1 \| 1 \| .* \| down$/);
  });

  it("links: current error and discard rates per second, not the lifetime totals", async () => {
    const { text, reply } = await ask("links lab-sw1 Gi1/0/2");
    expect(text).toContain("Errors / discards");
    expect(text).toContain("0/s / 0/s");
    expect(text).toContain("1.0 Mb/s / 0 b/s");
    // The totals since the counters began stay in the data (`opsbot ask --json`), next to the rates.
    expect((reply.data!.ports as Record<string, unknown>[])[0]).toMatchObject({
      inErrors: 0,
      errorsPerSecond: 0,
      discardsPerSecond: 0,
    });
  });

  it("graph: a PNG of the port's traffic that decodes, with the series drawn", async () => {
    const { reply, outcome } = await ask("graph lab-sw1 Gi1/0/2 4m");
    expect(outcome).toBe("ok");
    const file = reply.files?.[0];
    expect(file?.filename).toBe("lab-sw1-Gi1-0-2-4m.png");
    const png = bluePixelsInFirstPlot(file!.content as Uint8Array);
    expect(png.width).toBe(800);
    expect(png.drawn).toBeGreaterThan(50);
    expect(replyToPlainText(reply)).toMatch(/in [▁▂▃▄▅▆▇█ ]+ 1 Mbit\/s now/);
  });

  it("graph: the device itself, and a clear error for an unknown port", async () => {
    const device = await ask("graph lab-sw1 1h");
    expect(device.reply.files?.[0]?.filename).toBe("lab-sw1-device-1h.png");
    const bad = await ask("graph lab-sw1 Te9/9");
    expect(bad.outcome).toBe("user_error");
    expect(bad.text).toContain('lab-sw1 has no port or drive "Te9/9"');
  });
});
