import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpsbotError } from "../../src/lib/errors.js";
import { silentLogger } from "../../src/lib/logger.js";
import { hashKnownHostsName } from "../../src/lib/ssh/host-keys.js";
import { scanHostKeys } from "../../src/lib/ssh/keyscan.js";
import { createSshRunner, type PooledSshRunner } from "../../src/lib/ssh/runner.js";
import { generateEd25519Pair } from "../../src/sim/keys.js";
import { procInfo, sessionMembers, sessionSurvivors } from "../support/proc-session.js";
import { type Sshd, startSshd } from "../support/sshd.js";

let sshd: Sshd;
let runner: PooledSshRunner;
/** The server's Ed25519 fingerprint as ssh-keygen prints it — computed independently of our code. */
let serverFingerprint: string;

beforeAll(async () => {
  sshd = await startSshd();
  runner = createSshRunner({ logger: silentLogger() });
  serverFingerprint = execFileSync("ssh-keygen", [
    "-l",
    "-E",
    "sha256",
    "-f",
    join(sshd.dir, "host_ed25519.pub"),
  ])
    .toString()
    .split(" ")[1]!;
}, 60_000);

afterAll(async () => {
  await runner?.close();
  await sshd?.stop();
});

/** Waits until sshd has logged the end of the connection from `port`, then returns its log lines. */
async function sshdLinesFor(clientPort: number): Promise<string[]> {
  const ended = new RegExp(
    `(Connection closed|Connection reset|Disconnected from|Received disconnect from|Unable to negotiate with).* port ${clientPort}\\b`,
  );
  for (let i = 0; i < 200; i++) {
    const log = sshd.readLog();
    if (ended.test(log)) return log.split("\n").filter((l) => l.includes(`port ${clientPort}`));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd never logged the end of the connection from port ${clientPort}:\n${sshd.readLog()}`);
}

/** Client ports of connections sshd logged after `offset`. */
function newConnectionPorts(offset: number): number[] {
  const slice = sshd.readLog().slice(offset);
  return [...slice.matchAll(/Connection from 127\.0\.0\.1 port (\d+)/g)].map((m) => Number(m[1]));
}

const AUTH_WORDS = /Accepted|Failed|Postponed|Invalid user|userauth|publickey|authentication/i;

async function expectRefusedBeforeAuth(promise: Promise<unknown>, offset: number): Promise<OpsbotError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OpsbotError);
  const error = err as OpsbotError;
  expect(error.code).toBe("HOST_KEY_REJECTED");
  const ports = newConnectionPorts(offset);
  expect(ports.length).toBe(1);
  const lines = await sshdLinesFor(ports[0]!);
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.filter((l) => AUTH_WORDS.test(l))).toEqual([]);
  return error;
}

describe("ssh client against a real sshd", { timeout: 60_000 }, () => {
  it("accepts the pinned host key and runs a command", async () => {
    const offset = sshd.readLog().length;
    const r = await runner.exec(sshd.target(), "echo hello; echo oops >&2; exit 3");
    expect(r).toMatchObject({
      exitCode: 3,
      stdout: "hello\n",
      stderr: "oops\n",
      timedOut: false,
      truncated: false,
    });
    // The same log that must stay silent on refusal does record authentication when it happens.
    const ports = newConnectionPorts(offset);
    expect(sshd.readLog().slice(offset)).toMatch(
      new RegExp(`Accepted publickey for ${sshd.user} from 127.0.0.1 port ${ports[0]}`),
    );
  });

  it("refuses a mismatched host key before any authentication and names the offered fingerprint", async () => {
    const other = generateEd25519Pair();
    const offset = sshd.readLog().length;
    const err = await expectRefusedBeforeAuth(
      runner.exec(sshd.target({ name: "mismatch", hostKey: other.public }), "echo should-not-run"),
      offset,
    );
    expect(err.message).toContain(serverFingerprint);
    expect(err.message).toMatch(/does NOT match/);
  });

  it("refuses a pinned key type the server does not have, naming what it offers", async () => {
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      "rsa",
      "-b",
      "2048",
      "-N",
      "",
      "-f",
      join(sshd.dir, "other_rsa"),
    ]);
    const pinned = readFileSync(join(sshd.dir, "other_rsa.pub"), "utf8").split(" ").slice(0, 2).join(" ");
    const offset = sshd.readLog().length;
    const err = (await runner
      .exec(sshd.target({ name: "rsa-pin", hostKey: pinned }), "echo should-not-run")
      .catch((e: unknown) => e)) as OpsbotError;
    expect(err).toBeInstanceOf(OpsbotError);
    expect(err.code).toBe("HOST_KEY_REJECTED");
    expect(err.message).toContain("no host key of the pinned type");
    expect(err.message).toContain(serverFingerprint);
    for (const port of newConnectionPorts(offset)) {
      expect((await sshdLinesFor(port)).filter((l) => AUTH_WORDS.test(l))).toEqual([]);
    }
  });

  it("refuses a host with no pin before any authentication and shows the key line to pin", async () => {
    const offset = sshd.readLog().length;
    const target = sshd.target({ name: "unpinned" });
    delete target.hostKey;
    const err = await expectRefusedBeforeAuth(runner.exec(target, "echo should-not-run"), offset);
    expect(err.message).toContain(serverFingerprint);
    expect(err.message).toContain(sshd.hostKeyLine);
  });

  it("refuses when the known_hosts file cannot be read", async () => {
    const offset = sshd.readLog().length;
    const target = sshd.target({ name: "unreadable", knownHosts: join(sshd.dir, "does-not-exist") });
    delete target.hostKey;
    const err = await expectRefusedBeforeAuth(runner.exec(target, "true"), offset);
    expect(err.message).toContain("cannot read");
    expect(err.message).toContain(serverFingerprint);
  });

  it("accepts a hashed [host]:port known_hosts entry", async () => {
    const file = join(sshd.dir, "known_hosts");
    const hashed = hashKnownHostsName(`[127.0.0.1]:${sshd.port}`, Buffer.from("0123456789abcdefghij"));
    writeFileSync(
      file,
      `# comment\n|1|bm90aGluZw==|bm9wZQ== ${sshd.ecdsaHostKeyLine}\n${hashed} ${sshd.hostKeyLine}\n`,
    );
    const target = sshd.target({ name: "known-hosts", knownHosts: file });
    delete target.hostKey;
    const r = await runner.exec(target, "echo ok");
    expect(r.stdout).toBe("ok\n");
  });

  it("negotiates the pinned key type even when the server prefers another", async () => {
    const r = await runner.exec(
      sshd.target({ name: "ecdsa-pin", hostKey: sshd.ecdsaHostKeyLine }),
      "echo ecdsa",
    );
    expect(r.stdout).toBe("ecdsa\n");
  });

  it("authenticates with a passphrase-protected key, and names the key file when the passphrase is wrong", async () => {
    const keyPath = join(sshd.dir, "client_protected");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "correct horse", "-f", keyPath]);
    const authorized = join(sshd.dir, "authorized_keys");
    writeFileSync(authorized, readFileSync(authorized, "utf8") + readFileSync(`${keyPath}.pub`, "utf8"));
    const ok = await runner.exec(
      sshd.target({ name: "protected", keyFile: keyPath, passphrase: "correct horse" }),
      "echo in",
    );
    expect(ok.stdout).toBe("in\n");
    const err = await runner
      .exec(sshd.target({ name: "protected-wrong", keyFile: keyPath, passphrase: "wrong" }), "true")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpsbotError);
    expect((err as OpsbotError).code).toBe("CONFIG_INVALID");
    expect((err as OpsbotError).message).toContain(keyPath);
  });

  it("puts the fixture bin dir first on PATH", async () => {
    const r = await runner.exec(sshd.target(), "command -v smartctl");
    expect(r.stdout.trim()).toMatch(/test\/fixtures\/ssh\/bin\/smartctl$/);
  });

  it("runs posix commands as sh -c straight under sshd and passes quoting and exit codes through", async () => {
    const r = await runner.exec(
      sshd.target(),
      `printf '%s|' "it's" 'a $HOME'; cat /proc/$PPID/comm; tr '\\0' ' ' < /proc/$$/cmdline; exit 7`,
      { timeoutMs: 30_000 },
    );
    expect(r.exitCode).toBe(7);
    // No `timeout` or waiting login shell in between: sshd's session child became the command's sh.
    expect(r.stdout).toMatch(/^it's\|a \$HOME\|sshd\nsh -c printf /);
  });

  it("times out a hung command, closes the channel and the remote process is gone", async () => {
    let pid: number | undefined;
    let running: number[] = [];
    const r = await runner.exec(sshd.target(), "echo $$; sleep 300; echo finished", {
      timeoutMs: 1500,
      onData: (chunk, stream) => {
        if (stream !== "stdout" || pid !== undefined) return;
        pid = Number.parseInt(chunk, 10);
        running = sessionMembers(pid).map((p) => p.pid);
      },
    });
    expect(r).toMatchObject({ timedOut: true, exitCode: null });
    expect(r.stdout).not.toContain("finished");
    // $$ is the session leader (sshd's setsid child exec'd into it), so the check below is not vacuous.
    expect(running).toContain(pid);
    // sshd starts each command in its own session (setsid): nothing of it may survive.
    expect(await sessionSurvivors(pid!)).toEqual([]);
    // The connection is still usable afterwards.
    expect((await runner.exec(sshd.target(), "echo alive")).stdout).toBe("alive\n");
  });

  it("kills a command that outlives its channel even without a remote deadline", async () => {
    // No timeoutMs → no remote deadline: only the stdin watchdog can stop it once we abort.
    let pid: number | undefined;
    const controller = new AbortController();
    const r = await runner.exec(sshd.target(), "echo $$; sleep 300", {
      timeoutMs: 0,
      signal: controller.signal,
      onData: (chunk, stream) => {
        if (stream === "stdout" && pid === undefined) {
          pid = Number.parseInt(chunk, 10);
          controller.abort();
        }
      },
    });
    expect(r.aborted).toBe(true);
    expect(await sessionSurvivors(pid!)).toEqual([]);
  });

  it("kills the whole session on abort long before a long step's remote deadline", async () => {
    // The remote deadline is 122 s away: only the watchdog can end this (and the background sleep the
    // command started) within the poll below.
    let sid: number | undefined;
    const controller = new AbortController();
    const r = await runner.exec(sshd.target(), "echo $$; sleep 300 & sleep 301; wait", {
      timeoutMs: 120_000,
      signal: controller.signal,
      onData: (chunk, stream) => {
        if (stream === "stdout" && sid === undefined) {
          sid = procInfo(Number.parseInt(chunk, 10))?.sid;
          controller.abort();
        }
      },
    });
    expect(r.aborted).toBe(true);
    expect(sid).toBeGreaterThan(1);
    expect(await sessionSurvivors(sid!)).toEqual([]);
  });

  it("times out a hung command on a non-posix target (shell none) and keeps the connection usable", async () => {
    const r = await runner.exec(sshd.target({ shell: "none" }), "sleep 8; echo finished", {
      timeoutMs: 1000,
    });
    expect(r).toMatchObject({ timedOut: true, stdout: "" });
    expect((await runner.exec(sshd.target({ shell: "none" }), "echo alive")).stdout).toBe("alive\n");
  });

  it("caps oversized output keeping the tail", async () => {
    const r = await runner.exec(sshd.target(), "seq 1 200000", { maxOutputBytes: 10_000 });
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.stdout)).toBeLessThanOrEqual(10_000);
    expect(r.stdout.endsWith("199999\n200000\n")).toBe(true);
  });

  it("aborts a running command on signal", async () => {
    const controller = new AbortController();
    const pending = runner.exec(sshd.target(), "sleep 300", {
      signal: controller.signal,
      timeoutMs: 120_000,
    });
    setTimeout(() => controller.abort(), 300);
    const r = await pending;
    expect(r).toMatchObject({ aborted: true, timedOut: false });
  });

  it("reuses one connection per host for sequential and concurrent commands", async () => {
    const pooled = createSshRunner({ logger: silentLogger(), maxChannelsPerHost: 3 });
    const offset = sshd.readLog().length;
    try {
      await pooled.exec(sshd.target(), "true");
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => pooled.exec(sshd.target(), `sleep 0.2; echo ${i}`)),
      );
      expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
      expect(pooled.stats().handshakes).toBe(1);
      expect(newConnectionPorts(offset).length).toBe(1);
      expect(
        sshd
          .readLog()
          .slice(offset)
          .match(/Accepted publickey/g)?.length,
      ).toBe(1);
    } finally {
      await pooled.close();
    }
  });

  it("closes an idle connection and reconnects on the next command", async () => {
    const pooled = createSshRunner({ logger: silentLogger(), idleMs: 200 });
    try {
      await pooled.exec(sshd.target(), "true");
      for (let i = 0; i < 100 && pooled.stats().open > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(pooled.stats().open).toBe(0);
      await pooled.exec(sshd.target(), "true");
      expect(pooled.stats().handshakes).toBe(2);
    } finally {
      await pooled.close();
    }
  });

  it("ssh-keyscan reads the host keys without authenticating", async () => {
    const offset = sshd.readLog().length;
    const keys = await scanHostKeys("127.0.0.1", sshd.port, 15_000);
    expect(keys.map((k) => k.line)).toEqual([sshd.hostKeyLine, sshd.ecdsaHostKeyLine]);
    expect(keys[0]!.fingerprint).toBe(serverFingerprint);
    const ports = newConnectionPorts(offset);
    expect(ports.length).toBeGreaterThanOrEqual(2);
    for (const p of ports) expect((await sshdLinesFor(p)).filter((l) => AUTH_WORDS.test(l))).toEqual([]);
  });
});

/** Pids whose session id is `sid` (field 6 of /proc/<pid>/stat). */
