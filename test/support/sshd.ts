import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join, resolve } from "node:path";
import type { SshTarget } from "../../src/lib/ssh/types.js";

/**
 * A real OpenSSH server (Debian openssh-server) for tests: its own host keys, authorized_keys, config
 * and log in a temp dir, listening on a free high port on loopback. Commands run with the fixture
 * bin dir first on PATH (sshd's SetEnv), so scripts there stand in for smartctl, mdadm, zpool and even
 * `cat /proc/mdstat`; they replay files from `fixtureDir` (passed as OPSBOT_FIXTURES).
 */
export interface SshdOptions {
  /** Dir of scripts put first on PATH. Default test/fixtures/ssh/bin. */
  binDir?: string;
  /** Dir the fixture scripts read from (OPSBOT_FIXTURES). Default: an empty dir inside the temp dir. */
  fixtureDir?: string;
  /** Extra loopback addresses to listen on (127.0.0.x), so one sshd can stand in for several hosts. */
  extraAddresses?: string[];
  /** Extra sshd_config lines; they take precedence over the defaults. */
  extraConfig?: string[];
}

export interface Sshd {
  host: string;
  port: number;
  user: string;
  dir: string;
  fixtureDir: string;
  /** "ssh-ed25519 AAAA…" — the key to pin. The server also has an ECDSA key. */
  hostKeyLine: string;
  /** The ECDSA host key line (to test that only the pinned type is negotiated). */
  ecdsaHostKeyLine: string;
  clientKeyPath: string;
  logPath: string;
  readLog(): string;
  /** A target for this server with the pinned key; override anything. */
  target(overrides?: Partial<SshTarget>): SshTarget;
  stop(): Promise<void>;
}

const REPO = resolve(import.meta.dirname, "../..");
export const SSHD_BIN = "/usr/sbin/sshd";

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-sshd-"));
  const fixtureDir = options.fixtureDir ?? join(dir, "fixtures");
  mkdirSync(fixtureDir, { recursive: true });
  const binDir = options.binDir ?? join(REPO, "test/fixtures/ssh/bin");
  // Privilege separation dir: sshd refuses to start as root without it.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  keygen(join(dir, "host_ed25519"), "ed25519");
  keygen(join(dir, "host_ecdsa"), "ecdsa");
  keygen(join(dir, "client_ed25519"), "ed25519");
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_ed25519.pub")));
  const hostKeyLine = pubLine(join(dir, "host_ed25519.pub"));
  const ecdsaHostKeyLine = pubLine(join(dir, "host_ecdsa.pub"));
  const user = userInfo().username;
  const logPath = join(dir, "sshd.log");

  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = [
      // sshd keeps the first value it reads for a keyword, so overrides go first.
      ...(options.extraConfig ?? []),
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      ...(options.extraAddresses ?? []).map((a) => `ListenAddress ${a}`),
      `HostKey ${join(dir, "host_ed25519")}`,
      `HostKey ${join(dir, "host_ecdsa")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "UsePAM no",
      "PermitRootLogin prohibit-password",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "AllowAgentForwarding no",
      "X11Forwarding no",
      "PrintMotd no",
      "LogLevel VERBOSE",
      "MaxSessions 20",
      "MaxStartups 200:30:400",
      `AllowUsers ${user}`,
      // HOME in the temp dir: the login shell must not run the machine's own ~/.bashrc (bash sources it
      // for sshd sessions), which costs time and may rewrite PATH.
      `SetEnv PATH=${binDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin OPSBOT_FIXTURES=${fixtureDir} HOME=${dir}`,
    ];
    writeFileSync(join(dir, "sshd_config"), `${config.join("\n")}\n`);
    const logFd = openSync(logPath, "a");
    const child = spawn(SSHD_BIN, ["-D", "-E", logPath, "-f", join(dir, "sshd_config")], {
      stdio: ["ignore", logFd, logFd],
    });
    closeSync(logFd);
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const up = await Promise.race([waitForBanner(port, 15_000), exited.then(() => false)]);
    if (up === true) {
      return {
        host: "127.0.0.1",
        port,
        user,
        dir,
        fixtureDir,
        hostKeyLine,
        ecdsaHostKeyLine,
        clientKeyPath: join(dir, "client_ed25519"),
        logPath,
        readLog: () => readFileSync(logPath, "utf8"),
        target: (overrides = {}) => ({
          name: "sshd-test",
          host: "127.0.0.1",
          port,
          user,
          hostKey: hostKeyLine,
          keyFile: join(dir, "client_ed25519"),
          connectTimeoutMs: 15_000,
          ...overrides,
        }),
        stop: () => stopChild(child, exited, dir),
      };
    }
    await stopChild(child, exited, undefined);
    // Another process may have taken the port between probing and binding: try a new one.
    if (attempt >= 4) {
      const log = readFileSync(logPath, "utf8");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start:\n${log}`);
    }
  }
}

function keygen(path: string, type: "ed25519" | "ecdsa"): void {
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "opsbot-test", "-f", path], {
    stdio: "ignore",
  });
}

function pubLine(path: string): string {
  const [type, b64] = readFileSync(path, "utf8").trim().split(/\s+/);
  return `${type} ${b64}`;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Resolves true once the port answers with an SSH banner. */
async function waitForBanner(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((r) => {
      const sock = new Socket();
      const finish = (v: boolean) => {
        sock.destroy();
        r(v);
      };
      sock.setTimeout(2000, () => finish(false));
      sock.once("data", (d) => finish(d.toString("latin1").startsWith("SSH-")));
      sock.once("error", () => finish(false));
      sock.connect(port, "127.0.0.1");
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>, dir: string | undefined) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
