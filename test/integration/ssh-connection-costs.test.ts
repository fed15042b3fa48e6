import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/lib/logger.js";
import { createSshRunner } from "../../src/lib/ssh/runner.js";
import { type Sshd, startSshd } from "../support/sshd.js";
import { tempDir } from "../support/temp.js";

/**
 * What each SSH connection costs per command: no Nagle delay on the socket, and the remote
 * `timeout` probed once per connection, not before every command. A `timeout` shim first on the
 * server's PATH logs each call and hands over to the real one (or refuses `-k`, as an old BusyBox
 * would, when the flag file exists).
 */
let sshd: Sshd;
let bin: ReturnType<typeof tempDir>;
const EXTRA = ["127.0.0.2", "127.0.0.3"];
const REAL_TIMEOUT = ["/usr/bin/timeout", "/bin/timeout"].find((p) => existsSync(p))!;

beforeAll(async () => {
  bin = tempDir("opsbot-timeout-shim-");
  const shim = join(bin.path, "timeout");
  writeFileSync(
    shim,
    `#!/bin/sh\necho "$*" >> "$OPSBOT_FIXTURES/timeout.log"\n` +
      `[ -e "$OPSBOT_FIXTURES/no-timeout" ] && exit 125\nexec ${REAL_TIMEOUT} "$@"\n`,
  );
  chmodSync(shim, 0o755);
  sshd = await startSshd({ binDir: bin.path, extraAddresses: EXTRA });
}, 60_000);

afterAll(async () => {
  await sshd?.stop();
  bin?.cleanup();
});

const calls = (): string[] => {
  const path = join(sshd.fixtureDir, "timeout.log");
  return existsSync(path) ? readFileSync(path, "utf8").trim().split("\n") : [];
};
const resetCalls = () => rmSync(join(sshd.fixtureDir, "timeout.log"), { force: true });

describe("ssh connection costs", { timeout: 60_000 }, () => {
  it("sets TCP_NODELAY on every SSH connection's socket", async () => {
    // Where each socket was connected when no-delay was switched on (a closed socket forgets it).
    const seen: { remoteAddress?: string; remotePort?: number; localPort?: number }[] = [];
    const original = Socket.prototype.setNoDelay;
    const noDelay = vi.spyOn(Socket.prototype, "setNoDelay").mockImplementation(function (this: Socket, on) {
      if (on === true)
        seen.push({
          remoteAddress: this.remoteAddress,
          remotePort: this.remotePort,
          localPort: this.localPort,
        });
      return original.call(this, on);
    });
    const runner = createSshRunner({ logger: silentLogger(), idleMs: 100 });
    try {
      const hosts = ["127.0.0.1", ...EXTRA];
      await Promise.all(hosts.map((host) => runner.exec(sshd.target({ host, name: host }), "true")));
      // Idle close, then a fresh connection to the first host.
      for (let i = 0; i < 100 && runner.stats().open > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(runner.stats().open).toBe(0);
      await runner.exec(sshd.target(), "true");
      expect(runner.stats().handshakes).toBe(4);

      const toSshd = seen.filter((s) => s.remotePort === sshd.port);
      expect(new Set(toSshd.map((s) => `${s.remoteAddress}:${s.localPort}`)).size).toBe(4);
      expect(new Set(toSshd.map((s) => s.remoteAddress))).toEqual(new Set(hosts));
    } finally {
      noDelay.mockRestore();
      await runner.close();
    }
  });

  it("probes the remote timeout once per connection and wraps every timed command in it", async () => {
    resetCalls();
    const runner = createSshRunner({ logger: silentLogger(), idleMs: 100 });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await runner.exec(sshd.target(), `echo ${i}; tr '\\0' ' ' < /proc/$PPID/cmdline`, {
          timeoutMs: 20_000,
        });
        expect(r.stdout).toMatch(new RegExp(`^${i}\\n.*timeout -k 5 22 sh -c `));
      }
      // Concurrent first commands on a new host share one probe.
      await Promise.all(
        [0, 1, 2].map(() =>
          runner.exec(sshd.target({ host: EXTRA[0]!, name: "second" }), "true", { timeoutMs: 5000 }),
        ),
      );
      const log = calls();
      expect(log.filter((l) => l === "-k 5 1 true").length).toBe(2);
      expect(log.filter((l) => l.startsWith("-k 5 22 sh -c")).length).toBe(3);
      expect(log.filter((l) => l.startsWith("-k 5 7 sh -c")).length).toBe(3);
      // No time limit, no probe.
      resetCalls();
      await runner.exec(sshd.target({ host: EXTRA[1]!, name: "third" }), "true", { timeoutMs: 0 });
      expect(calls()).toEqual([]);
    } finally {
      await runner.close();
    }
  });

  it("warm connects and probes ahead of the first command, which then reuses both; unused, it closes when idle", async () => {
    resetCalls();
    // Idle long enough that a loaded machine cannot close the warm connection before the command
    // comes, short enough that the test sees it close by itself.
    const runner = createSshRunner({ logger: silentLogger(), idleMs: 2000 });
    try {
      const target = sshd.target({ host: EXTRA[1]!, name: "warmed" });
      runner.warm!(target);
      runner.warm!(target); // a second call while connecting opens nothing more
      for (let i = 0; i < 200 && calls().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(runner.stats()).toEqual({ handshakes: 1, open: 1 });
      expect(calls()).toEqual(["-k 5 1 true"]);
      const r = await runner.exec(target, "echo hi", { timeoutMs: 5000 });
      expect(r).toMatchObject({ exitCode: 0, stdout: "hi\n" });
      expect(runner.stats().handshakes).toBe(1);
      expect(calls().filter((l) => l === "-k 5 1 true").length).toBe(1);
      // Nobody uses it any more: it closes like any idle connection.
      for (let i = 0; i < 600 && runner.stats().open > 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(runner.stats().open).toBe(0);
      // A warm to a host that refuses does not throw or reject; the next command reports the failure.
      const dead = sshd.target({ host: "127.0.0.1", port: 1, name: "dead" });
      runner.warm!(dead);
      await expect(runner.exec(dead, "true")).rejects.toThrow();
    } finally {
      await runner.close();
    }
  });

  it("runs commands unwrapped, and still times them out, on a target whose timeout refuses -k", async () => {
    resetCalls();
    writeFileSync(join(sshd.fixtureDir, "no-timeout"), "");
    const runner = createSshRunner({ logger: silentLogger() });
    try {
      const r = await runner.exec(sshd.target(), "tr '\\0' ' ' < /proc/$PPID/cmdline", { timeoutMs: 20_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toContain("timeout");
      const slow = await runner.exec(sshd.target(), "sleep 30", { timeoutMs: 500 });
      expect(slow).toMatchObject({ timedOut: true, exitCode: null });
      expect(calls()).toEqual(["-k 5 1 true"]);
    } finally {
      rmSync(join(sshd.fixtureDir, "no-timeout"), { force: true });
      await runner.close();
    }
  });
});
