import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, configSchema } from "../../src/config/schema.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { Redactor } from "../../src/lib/redact.js";
import { createSshRunner, type PooledSshRunner } from "../../src/lib/ssh/runner.js";
import { createBackupService } from "../../src/management/backups/backup-service.js";
import { readChanges } from "../../src/management/change-log.js";
import type { Scheduler } from "../../src/management/schedule.js";
import { tempStore } from "../support/mgmt-fixtures.js";
import { type Sshd, startSshd } from "../support/sshd.js";

let sshd: Sshd;
let runner: PooledSshRunner;
let mgmt: ReturnType<typeof tempStore>;
let configFile: string;

const RUNNING = (hostname: string, vlan: number, stamp = "02:00:01") =>
  [
    "Building configuration...",
    `! Last configuration change at ${stamp} UTC Thu Jan 1 2026`,
    `hostname ${hostname}`,
    "enable secret 9 $9$mYs3cr3tHashValue$abcdef",
    "snmp-server community s3cr3t-community RO",
    "tacacs-server key hunter2-tacacs",
    "interface GigabitEthernet1/0/2",
    " description db1 eth0",
    ` switchport access vlan ${vlan}`,
    "end",
    "",
  ].join("\n");

function configFor(extra: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    backups: { keep: 3 },
    devices: [
      {
        name: "sw1",
        host: "127.0.0.1",
        ssh: { user: sshd.user, port: sshd.port, host_key: sshd.hostKeyLine, key_file: sshd.clientKeyPath },
        backup: {
          command: `cat ${configFile}`,
          ignore_lines: ["^! Last configuration change", "^Building configuration"],
          mask: ["tacacs-server key (\\S+)"],
          ...extra,
        },
      },
    ],
  });
}

beforeAll(async () => {
  sshd = await startSshd();
  runner = createSshRunner({ logger: silentLogger() });
  mgmt = tempStore();
  configFile = join(sshd.fixtureDir, "running-config");
}, 60_000);

afterAll(async () => {
  await runner?.close();
  await sshd?.stop();
  mgmt?.cleanup();
});

describe("config backups over SSH", { timeout: 60_000 }, () => {
  it("versions by content, stores nothing when unchanged, masks secrets, keeps N, and diffs", async () => {
    const clock = new ManualClock();
    const service = createBackupService({
      ssh: runner,
      store: mgmt.store,
      clock,
      logger: silentLogger(),
      config: configFor(),
      redactor: new Redactor(["hunter2-tacacs"]),
    });
    writeFileSync(configFile, RUNNING("sw1", 20));
    const first = await service.runNow("SW1");
    expect(first).toMatchObject({ device: "sw1", result: "first", added: 8 });
    const stored = service.diff("sw1", 0);
    expect(stored?.patch).toBe("");

    // Same config, new timestamp (an ignored line): nothing new is stored.
    clock.advance(86_400_000);
    writeFileSync(configFile, RUNNING("sw1", 20, "13:37:00"));
    expect(await service.runNow("sw1")).toMatchObject({ result: "unchanged" });
    expect(service.versions("sw1")).toHaveLength(1);
    expect(service.state("sw1")).toMatchObject({ status: "ok", lastSuccessAt: clock.now() });
    expect(readChanges(mgmt.store, { device: "sw1" })).toEqual([]);

    // A real change: a new version and a change-log row.
    clock.advance(86_400_000);
    writeFileSync(configFile, RUNNING("sw1", 30));
    expect(await service.runNow("sw1")).toMatchObject({ result: "changed", added: 1, removed: 1 });
    const versions = service.versions("sw1");
    expect(versions.map((v) => v.back)).toEqual([0, 1]);
    const changes = readChanges(mgmt.store, { device: "sw1" });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      kind: "backup_changed",
      old: versions[1]!.sha256.slice(0, 12),
      new: versions[0]!.sha256.slice(0, 12),
      detail: { added: 1, removed: 1 },
    });

    const d = service.diff("sw1")!;
    expect(d.patch).toContain("--- sw1@1");
    expect(d.patch).toContain("+++ sw1@0");
    expect(d.patch).toContain("\n- switchport access vlan 20\n");
    expect(d.patch).toContain("\n+ switchport access vlan 30\n");
    expect(d.patch).not.toContain("Last configuration change");

    // Secrets never reach the database: built-in, configured pattern, configured secret value.
    const all = mgmt.store.db.prepare("SELECT content FROM backup_version").pluck().all() as string[];
    for (const content of all) {
      expect(content).not.toMatch(/mYs3cr3tHashValue|s3cr3t-community|hunter2-tacacs/);
      expect(content).toContain("snmp-server community <masked> RO");
    }

    // keep: 3 — older versions are pruned.
    for (const vlan of [40, 50, 60]) {
      clock.advance(86_400_000);
      writeFileSync(configFile, RUNNING("sw1", vlan));
      await service.runNow("sw1");
    }
    expect(service.versions("sw1").map((v) => v.back)).toEqual([0, 1, 2]);
    expect(service.diff("sw1", 2)?.patch).toContain("- switchport access vlan 40");
    expect(service.diff("sw1", 3)).toBeUndefined();
  });

  it("a failing backup logs once when it starts failing and once when it recovers", async () => {
    const clock = new ManualClock();
    const store = tempStore();
    try {
      const service = createBackupService({
        ssh: runner,
        store: store.store,
        clock,
        logger: silentLogger(),
        config: configFor(),
      });
      writeFileSync(configFile, RUNNING("sw1", 20));
      await service.runNow("sw1");
      rmSync(configFile);
      const failed = await service.runNow("sw1");
      expect(failed).toMatchObject({ result: "failed" });
      expect(failed.result === "failed" && failed.error).toMatch(/exited with 1: .*cat: .*No such file/);
      await service.runNow("sw1");
      expect(service.state("sw1")).toMatchObject({ status: "failed", consecutiveFailures: 2 });
      writeFileSync(configFile, RUNNING("sw1", 20));
      expect(await service.runNow("sw1")).toMatchObject({ result: "unchanged" });
      expect(readChanges(store.store, { device: "sw1" }).map((c) => `${c.kind}:${c.old}->${c.new}`)).toEqual([
        "backup:ok->failed",
        "backup:failed->ok",
      ]);
      expect(service.versions("sw1")).toHaveLength(1);
    } finally {
      store.cleanup();
    }
  });

  it("a refused host key is a failed backup naming the fingerprint; nightly schedule runs it", async () => {
    const clock = new ManualClock();
    const store = tempStore();
    const ticks: { expression: string; tick: () => void }[] = [];
    const scheduler: Scheduler = {
      schedule(expression, tick) {
        ticks.push({ expression, tick });
        return { stop() {} };
      },
    };
    try {
      const config = configFor();
      config.devices[0]!.ssh!.host_key = sshd.ecdsaHostKeyLine.replace(/.{8}$/, "AAAAAAA=");
      const service = createBackupService({
        ssh: runner,
        store: store.store,
        clock,
        logger: silentLogger(),
        config,
        scheduler,
      });
      service.start();
      expect(ticks.map((t) => t.expression)).toEqual(["0 2 * * *"]);
      ticks[0]!.tick();
      await service.stop();
      expect(service.state("sw1")).toMatchObject({ status: "failed" });
      expect(service.state("sw1")?.lastError).toMatch(/^HOST_KEY_REJECTED: .*SHA256:/);
      expect(readChanges(store.store, { device: "sw1" }).map((c) => `${c.kind}:${c.old}->${c.new}`)).toEqual([
        "backup:null->failed",
      ]);
    } finally {
      store.cleanup();
    }
  });

  it("rejects a bad schedule naming the key", () => {
    const config = configFor({ schedule: "every night" });
    expect(() =>
      createBackupService({
        ssh: runner,
        store: mgmt.store,
        clock: new ManualClock(),
        logger: silentLogger(),
        config,
      }),
    ).toThrow(/backup schedule/);
  });
});
