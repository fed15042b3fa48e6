import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { OpsbotError } from "../../src/lib/errors.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSshRunner, type PooledSshRunner } from "../../src/lib/ssh/runner.js";
import type { SshTarget } from "../../src/lib/ssh/types.js";
import { createSshCollector } from "../../src/management/collectors/ssh/index.js";
import { generateEd25519Pair } from "../../src/sim/keys.js";
import { type SimSshHost, startSimSshHost } from "../../src/sim/ssh-host.js";
import { failingDiskServerProfile, switchCliProfile } from "../../src/sim/ssh-host-profiles.js";

let host: SimSshHost;
let sw: SimSshHost;
let runner: PooledSshRunner;

const targetOf = (h: SimSshHost, extra: Partial<SshTarget> = {}): SshTarget => ({
  name: h.profile.hostname,
  host: h.host,
  port: h.port,
  user: "opsbot",
  hostKey: h.hostKeyLine,
  keyFile: h.clientKeyPath,
  connectTimeoutMs: 15_000,
  ...extra,
});

beforeAll(async () => {
  host = await startSimSshHost({ profile: failingDiskServerProfile("db1") });
  sw = await startSimSshHost({ profile: switchCliProfile("core-sw1") });
  runner = createSshRunner({ logger: silentLogger() });
});

afterAll(async () => {
  await runner?.close();
  await host?.stop();
  await sw?.stop();
});

describe("simulated SSH host (demo)", { timeout: 60_000 }, () => {
  it("pins its generated host key and answers wrapped posix commands", async () => {
    const r = await runner.exec(targetOf(host), "echo 'hello world' && hostname; false || echo fallback");
    expect(r).toMatchObject({ exitCode: 0, stdout: "hello world\ndb1\nfallback\n" });
    const other = await runner.exec(targetOf(host), "systemctl restart nginx");
    expect(other).toMatchObject({ exitCode: 0, stdout: "[db1] systemctl restart nginx: ok (simulated)\n" });
  });

  it("is refused like any host when the pin does not match", async () => {
    const wrong = generateEd25519Pair().public;
    const err = await runner
      .exec(targetOf(host, { name: "db1-wrong", hostKey: wrong }), "true")
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpsbotError);
    expect((err as OpsbotError).code).toBe("HOST_KEY_REJECTED");
  });

  it("refuses a client key it does not know", async () => {
    const stranger = await startSimSshHost();
    try {
      const err = await runner
        .exec(targetOf(host, { name: "db1-stranger", keyFile: stranger.clientKeyPath }), "true")
        .catch((e) => e);
      expect((err as OpsbotError).code).toBe("UNAVAILABLE");
      expect((err as OpsbotError).message).toMatch(/authentication failed/);
    } finally {
      await stranger.stop();
    }
  });

  it("honours sleep and the runner's timeout", async () => {
    const r = await runner.exec(targetOf(host), "sleep 10; echo late", { timeoutMs: 500 });
    expect(r).toMatchObject({ timedOut: true, stdout: "" });
  });

  it("feeds the SSH drive collectors from its profile", async () => {
    const device = configSchema.parse({
      devices: [
        {
          name: "db1",
          host: host.host,
          ssh: {
            user: "opsbot",
            port: host.port,
            host_key: host.hostKeyLine,
            key_file: host.clientKeyPath,
            collect: ["smart", "raid"],
          },
        },
      ],
    }).devices[0]!;
    const obs = await createSshCollector({
      ssh: runner,
      clock: new ManualClock(),
      logger: silentLogger(),
    }).collect(device);
    expect(obs.errors).toEqual([]);
    expect(obs.drives?.items.map((d) => [d.key, d.status])).toEqual([
      ["smart:/dev/sda", "ok"],
      ["smart:/dev/sdb", "failed"],
      ["smart:/dev/nvme0", "ok"],
      ["mdadm:md0", "failed"],
      ["mdadm:md0:sdb1", "failed"],
    ]);
  });

  it("answers network-OS commands sent verbatim (shell none)", async () => {
    const r = await runner.exec(targetOf(sw, { shell: "none" }), "show running-config");
    expect(r.stdout).toContain("hostname core-sw1");
  });
});
