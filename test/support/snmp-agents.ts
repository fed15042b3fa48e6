/**
 * Real SNMP agents on loopback for integration tests and benchmarks.
 *
 * - `startSnmpsim()` runs snmpsimd (Debian package `snmpsim`) over the `.snmprec` fixtures in
 *   test/fixtures/snmp/. Each fixture is one simulated device; its SNMPv2c community is the file
 *   name without `.snmprec` (e.g. "switch48"). `agent.device("switch48")` gives a DeviceConfig
 *   pointing at it.
 * - `startSnmpd()` runs Debian's snmpd with its own config: a v2c community and an SNMPv3 authPriv
 *   user (SHA-256 / AES-128). It serves this machine's real MIB-II and HOST-RESOURCES data.
 *
 * Changing a device between two polls (change-log tests): the `lab-switch` fixture makes
 * ifAdminStatus, ifOperStatus, ifLastChange, ifInOctets (Counter32) and sysUpTime writable through
 * snmpsim's writecache variation module. From a test:
 *
 *     const sim = await startSnmpsim();
 *     const device = sim.device("lab-switch");
 *     await poller.pollOnce(device);                       // port 3 is up
 *     await sim.setOperStatus("lab-switch", 3, "down");    // SNMP SET ifOperStatus.3 = down(2)
 *     await sim.set("lab-switch", "1.3.6.1.2.1.2.2.1.9.3", "TimeTicks", 370000); // ifLastChange.3
 *     await poller.pollOnce(device);                       // → change-log row for port 3
 *
 * (equivalently `snmpset -v2c -c lab-switch 127.0.0.1:<port> 1.3.6.1.2.1.2.2.1.8.3 i 2`).
 * Values set stay until the agent stops; start a fresh agent (or SET them back) per test file.
 * Counter wrap: set ifInOctets.1 below its fixture value (4294960000); counter reset: set
 * sysUpTime.0 below its previous value (360000).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import snmp from "net-snmp";
import { type DeviceConfig, deviceSchema } from "../../src/config/schema.js";

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "snmp");
export const LOOPBACK = "127.0.0.1";

/** A free UDP port on loopback (bound, read, released: the agent binds it right after). */
export async function freeUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, LOOPBACK, () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export interface DeviceOverrides {
  name?: string;
  timeout_ms?: number;
  retries?: number;
  max_repetitions?: number;
  community?: string;
  port?: number;
  collect?: Array<"system" | "interfaces" | "entity" | "drives">;
}

export interface ManagedProcess {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function launch(command: string, args: string[], env?: NodeJS.ProcessEnv): ManagedProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
  running.add(child);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    });
    child.once("error", (err) => {
      output.push(String(err));
      running.delete(child);
      resolve(-1);
    });
  });
  return { child, output, exited };
}

export async function terminate(proc: ManagedProcess): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), 5000);
  await proc.exited;
  clearTimeout(timer);
}

/** Polls with a v2c GET until the agent answers or the deadline passes. */
async function waitForAgent(
  port: number,
  community: string,
  proc: ManagedProcess,
  what: string,
  deadlineMs = 60_000,
): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (proc.child.exitCode !== null) {
      throw new Error(
        `${what} exited with code ${proc.child.exitCode}:\n${proc.output.join("").slice(-2000)}`,
      );
    }
    if (await answers(port, community)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${what} did not answer on ${LOOPBACK}:${port} within ${deadlineMs} ms:\n${proc.output.join("").slice(-2000)}`,
  );
}

function answers(port: number, community: string): Promise<boolean> {
  return new Promise((resolve) => {
    const session = snmp.createSession(LOOPBACK, community, {
      port,
      version: snmp.Version2c,
      timeout: 500,
      retries: 0,
    });
    session.on("error", () => {});
    session.get(["1.3.6.1.2.1.1.1.0"], (error) => {
      session.close();
      resolve(!error);
    });
  });
}

function deviceFor(
  port: number,
  community: string,
  overrides: DeviceOverrides,
  extra: Record<string, unknown> = {},
): DeviceConfig {
  return deviceSchema.parse({
    name: overrides.name ?? community,
    host: LOOPBACK,
    snmp: {
      port: overrides.port ?? port,
      version: "2c",
      community: overrides.community ?? community,
      timeout_ms: overrides.timeout_ms ?? 3000,
      retries: overrides.retries ?? 1,
      ...(overrides.max_repetitions !== undefined ? { max_repetitions: overrides.max_repetitions } : {}),
      ...(overrides.collect ? { collect: overrides.collect } : {}),
      ...extra,
    },
  });
}

export type SetType = "Integer" | "TimeTicks" | "Counter32" | "OctetString";

const SET_TYPES: Record<SetType, number> = {
  Integer: snmp.ObjectType.Integer,
  TimeTicks: snmp.ObjectType.TimeTicks,
  Counter32: snmp.ObjectType.Counter32,
  OctetString: snmp.ObjectType.OctetString,
};

/** SNMP SET over v2c (used against snmpsim's writecache fixtures). */
export function snmpSet(
  port: number,
  community: string,
  oid: string,
  type: SetType,
  value: number | string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = snmp.createSession(LOOPBACK, community, {
      port,
      version: snmp.Version2c,
      timeout: 3000,
      retries: 1,
    });
    session.on("error", () => {});
    session.set([{ oid, type: SET_TYPES[type], value }], (error) => {
      session.close();
      if (error) reject(error);
      else resolve();
    });
  });
}

export interface SnmpsimAgent {
  readonly port: number;
  readonly pid: number;
  /** Communities served: one per fixture file. */
  readonly communities: string[];
  /** A DeviceConfig for the fixture `community` (2c, 3 s timeout, 1 retry unless overridden). */
  device(community: string, overrides?: DeviceOverrides): DeviceConfig;
  set(community: string, oid: string, type: SetType, value: number | string): Promise<void>;
  /** Shorthand for SET ifOperStatus.<ifIndex> (writable only in lab-switch). */
  setOperStatus(community: string, ifIndex: number, status: "up" | "down"): Promise<void>;
  stop(): Promise<void>;
}

export interface SnmpsimOptions {
  /** Fixture names to serve (default: every .snmprec in test/fixtures/snmp). */
  fixtures?: string[];
  /** Extra data files: community → path of an .snmprec file. */
  extraFiles?: Record<string, string>;
  /** snmpsimd's cap on varbinds per response (default 64 in snmpsimd; we use 256). */
  maxVarbinds?: number;
}

/** The installed simulator binary: snmpsimd (Debian 0.4) or snmpsim-command-responder (1.x). */
export function snmpsimBinary(): string {
  const found = ["snmpsimd", "snmpsim-command-responder", "snmpsimd.py"].find((b) => onPath(b));
  if (!found) throw new Error("snmpsim is not installed (apt-get install snmpsim)");
  return found;
}

function onPath(binary: string): string | undefined {
  try {
    execFileSync("which", [binary], { stdio: "ignore" });
    return binary;
  } catch {
    return undefined;
  }
}

export async function startSnmpsim(options: SnmpsimOptions = {}): Promise<SnmpsimAgent> {
  const root = mkdtempSync(join(tmpdir(), "opsbot-snmpsim-"));
  const dataDir = join(root, "data");
  const cacheDir = join(root, "cache");
  mkdirSync(dataDir);
  mkdirSync(cacheDir);
  const fixtures =
    options.fixtures ??
    readdirSync(FIXTURE_DIR)
      .filter((f) => f.endsWith(".snmprec"))
      .map((f) => f.slice(0, -8));
  for (const name of fixtures)
    copyFileSync(join(FIXTURE_DIR, `${name}.snmprec`), join(dataDir, `${name}.snmprec`));
  for (const [community, path] of Object.entries(options.extraFiles ?? {})) {
    copyFileSync(path, join(dataDir, `${community}.snmprec`));
  }
  const communities = [...fixtures, ...Object.keys(options.extraFiles ?? {})];
  // snmpsimd drops to nobody:nogroup; everything it reads must be readable by nobody and its
  // index cache writable.
  chmodSync(root, 0o755);
  chmodSync(dataDir, 0o755);
  for (const file of readdirSync(dataDir)) chmodSync(join(dataDir, file), 0o644);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(cacheDir, 65534, 65534);

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeUdpPort();
    const args = [
      `--data-dir=${dataDir}`,
      `--cache-dir=${cacheDir}`,
      `--agent-udpv4-endpoint=${LOOPBACK}:${port}`,
      `--max-varbinds=${options.maxVarbinds ?? 256}`,
      "--logging-method=null",
      ...(asRoot ? ["--process-user=nobody", "--process-group=nogroup"] : []),
    ];
    const proc = launch(snmpsimBinary(), args);
    try {
      await waitForAgent(port, communities[0]!, proc, "snmpsimd");
    } catch (err) {
      lastError = err;
      await terminate(proc);
      continue;
    }
    return {
      port,
      pid: proc.child.pid!,
      communities,
      device: (community, overrides = {}) => deviceFor(port, community, overrides),
      set: (community, oid, type, value) => snmpSet(port, community, oid, type, value),
      setOperStatus: (community, ifIndex, status) =>
        snmpSet(port, community, `1.3.6.1.2.1.2.2.1.8.${ifIndex}`, "Integer", status === "up" ? 1 : 2),
      stop: async () => {
        await terminate(proc);
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
  rmSync(root, { recursive: true, force: true });
  throw lastError;
}

export interface SnmpdAgent {
  readonly port: number;
  readonly pid: number;
  readonly community: string;
  readonly v3: { user: string; authKey: string; privKey: string };
  /** SNMPv2c device. */
  device(overrides?: DeviceOverrides): DeviceConfig;
  /** SNMPv3 authPriv (SHA-256, AES) device; pass keys to test wrong credentials. */
  v3Device(overrides?: DeviceOverrides & { authKey?: string; privKey?: string; user?: string }): DeviceConfig;
  stop(): Promise<void>;
}

export async function startSnmpd(): Promise<SnmpdAgent> {
  const root = mkdtempSync(join(tmpdir(), "opsbot-snmpd-"));
  const persistent = join(root, "persist");
  mkdirSync(persistent);
  const community = "opsbot-test";
  const v3 = { user: "opsbot", authKey: "auth-secret-123", privKey: "priv-secret-456" };
  const binary = existsSync("/usr/sbin/snmpd") ? "/usr/sbin/snmpd" : onPath("snmpd");
  if (!binary) throw new Error("snmpd is not installed (apt-get install snmpd)");

  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeUdpPort();
    const conf = join(root, "snmpd.conf");
    writeFileSync(
      conf,
      [
        `agentAddress udp:${LOOPBACK}:${port}`,
        `rocommunity ${community} ${LOOPBACK}`,
        `createUser ${v3.user} SHA-256 "${v3.authKey}" AES "${v3.privKey}"`,
        `rouser ${v3.user} priv`,
        "sysName opsbot-snmpd",
        "sysLocation loopback test agent",
        "",
      ].join("\n"),
    );
    const proc = launch(binary, ["-f", "-Lo", "-C", "-c", conf, `--persistentDir=${persistent}`], {
      ...process.env,
      // snmpd only serves numeric OIDs here; skip loading MIB files (and their warnings).
      MIBS: "",
      MIBDIRS: join(root, "no-mibs"),
    });
    try {
      await waitForAgent(port, community, proc, "snmpd", 20_000);
    } catch (err) {
      lastError = err;
      await terminate(proc);
      continue;
    }
    return {
      port,
      pid: proc.child.pid!,
      community,
      v3,
      device: (overrides = {}) => deviceFor(port, community, { name: "snmpd", ...overrides }),
      v3Device: (overrides = {}) =>
        deviceSchema.parse({
          name: overrides.name ?? "snmpd-v3",
          host: LOOPBACK,
          snmp: {
            port,
            version: "3",
            timeout_ms: overrides.timeout_ms ?? 3000,
            retries: overrides.retries ?? 1,
            v3: {
              user: overrides.user ?? v3.user,
              level: "authPriv",
              auth_protocol: "sha256",
              auth_key: overrides.authKey ?? v3.authKey,
              priv_protocol: "aes",
              priv_key: overrides.privKey ?? v3.privKey,
            },
            ...(overrides.collect ? { collect: overrides.collect } : {}),
          },
        }),
      stop: async () => {
        await terminate(proc);
        rmSync(root, { recursive: true, force: true });
      },
    };
  }
  rmSync(root, { recursive: true, force: true });
  throw lastError;
}
