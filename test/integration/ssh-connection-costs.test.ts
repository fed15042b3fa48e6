import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { silentLogger } from "../../src/lib/logger.js";
import { shellQuote } from "../../src/lib/shell.js";
import { remoteCommand } from "../../src/lib/ssh/remote-command.js";
import { createSshRunner } from "../../src/lib/ssh/runner.js";
import { procInfo, sessionSurvivors } from "../support/proc-session.js";
import { type Sshd, startSshd } from "../support/sshd.js";
import { tempDir } from "../support/temp.js";

/**
 * What each SSH connection costs per command: no Nagle delay on the socket, no probe before the first
 * command and nothing but `sh -c` between sshd and the command. A `timeout` shim first on the server's
 * PATH logs each call and hands over to the real one (or fails with 125, as an unusable one would,
 * when the flag file exists).
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

  it("keeps the remote deadline with nothing on the command's path: no probe, no `timeout` under bash", async () => {
    resetCalls();
    const runner = createSshRunner({ logger: silentLogger(), idleMs: 100 });
    try {
      for (let i = 0; i < 3; i++) {
        const r = await runner.exec(sshd.target(), `echo ${i}; cat /proc/$PPID/comm`, { timeoutMs: 20_000 });
        expect(r).toMatchObject({ exitCode: 0, stdout: `${i}\nsshd\n` });
      }
      await Promise.all(
        [0, 1, 2].map(() =>
          runner.exec(sshd.target({ host: EXTRA[0]!, name: "second" }), "true", { timeoutMs: 5000 }),
        ),
      );
      // The login shell (bash) keeps the deadline with its own `read -t`: the shim was never run.
      expect(calls()).toEqual([]);
    } finally {
      await runner.close();
    }
  });

  it("warm connects ahead of the first command, which then reuses it; unused, it closes when idle", async () => {
    // Idle long enough that a loaded machine cannot close the warm connection before the command
    // comes, short enough that the test sees it close by itself.
    const runner = createSshRunner({ logger: silentLogger(), idleMs: 2000 });
    try {
      const target = sshd.target({ host: EXTRA[1]!, name: "warmed" });
      runner.warm!(target);
      runner.warm!(target); // a second call while connecting opens nothing more
      for (let i = 0; i < 200 && runner.stats().handshakes === 0; i++)
        await new Promise((r) => setTimeout(r, 25));
      expect(runner.stats()).toEqual({ handshakes: 1, open: 1 });
      const r = await runner.exec(target, "echo hi", { timeoutMs: 5000 });
      expect(r).toMatchObject({ exitCode: 0, stdout: "hi\n" });
      expect(runner.stats().handshakes).toBe(1);
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
});

/**
 * The remote deadline on its own: the wrapped line is sent through a shell-"none" target with no local
 * timer, so only the watchdog can end the command. `exec dash -c <line>` stands in for a target whose
 * login shell is dash (no `read -t`): sshd's session child becomes dash, as it would become the
 * login shell.
 */
describe("remote deadline (the connection is gone and sshd has not noticed)", { timeout: 60_000 }, () => {
  const asLoginShell = (shell: "bash" | "dash", command: string, limitMs: number) => {
    const line = remoteCommand(command, "posix", limitMs);
    return shell === "bash" ? line : `exec dash -c ${shellQuote(line)}`;
  };

  it("under bash (read -t): TERMs the command's session 2 s after its limit", async () => {
    resetCalls();
    const runner = createSshRunner({ logger: silentLogger() });
    try {
      const r = await runner.exec(sshd.target({ shell: "none" }), asLoginShell("bash", "sleep 300", 1000), {
        timeoutMs: 0,
      });
      expect(r).toMatchObject({ exitCode: null, signal: "SIGTERM", timedOut: false });
      expect(calls()).toEqual([]);
    } finally {
      await runner.close();
    }
  });

  it("under dash: uses the target's timeout, and KILLs 5 s later what ignores TERM", async () => {
    resetCalls();
    const runner = createSshRunner({ logger: silentLogger() });
    try {
      const r = await runner.exec(
        sshd.target({ shell: "none" }),
        asLoginShell("dash", "trap '' TERM; sleep 300", 1000),
        { timeoutMs: 0 },
      );
      expect(r).toMatchObject({ exitCode: null, signal: "SIGKILL", timedOut: false });
      expect(calls()).toEqual(["3 cat"]);
    } finally {
      await runner.close();
    }
  });

  it("with neither read -t nor a usable timeout, still kills the session when the channel closes", async () => {
    resetCalls();
    writeFileSync(join(sshd.fixtureDir, "no-timeout"), "");
    const runner = createSshRunner({ logger: silentLogger() });
    try {
      let sid: number | undefined;
      const controller = new AbortController();
      const r = await runner.exec(
        sshd.target({ shell: "none" }),
        asLoginShell("dash", "echo $$; sleep 300", 60_000),
        {
          timeoutMs: 0,
          signal: controller.signal,
          onData: (chunk, stream) => {
            if (stream !== "stdout" || sid !== undefined) return;
            sid = procInfo(Number.parseInt(chunk, 10))?.sid;
            controller.abort();
          },
        },
      );
      expect(r.aborted).toBe(true);
      expect(sid).toBeGreaterThan(1);
      expect(await sessionSurvivors(sid!)).toEqual([]);
      expect(calls()).toEqual(["62 cat"]);
    } finally {
      rmSync(join(sshd.fixtureDir, "no-timeout"), { force: true });
      await runner.close();
    }
  });
});
