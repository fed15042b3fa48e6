import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createOpsMetrics } from "../../src/lib/ops/metrics.js";
import { createCore, type RunOptions, startSlack } from "../../src/main.js";
import { RecordingChat } from "../support/recording-chat.js";
import { startSlackEmulator } from "../support/slack-emulator/index.js";
import { tempDir } from "../support/temp.js";

/**
 * The ops listener against real HTTP: /healthz, /readyz with its named checks, /metrics parsed by the
 * real `promtool check metrics`, in console mode and in Slack Socket Mode (the Slack emulator).
 */
const OPS_YAML = "ops: { port: 0 }\n";
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function get(port: number, path: string): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get("content-type") ?? "" };
}

/** A console-chat core; with `run`, one the lifecycle drives (Core.start / Core.stop). */
function consoleCore(run?: RunOptions) {
  const dir = tempDir();
  const core = createCore({
    config: parseConfig(OPS_YAML, "test.yaml", {}),
    dbPath: join(dir.path, "opsbot.db"),
    logger: silentLogger(),
    chat: new RecordingChat(),
    metrics: createOpsMetrics(),
    ...(run ? { run } : {}),
  });
  cleanups.push(async () => {
    await core.shutdown();
    dir.cleanup();
  });
  return { core, dir: dir.path };
}

describe("ops listener", () => {
  it("answers /healthz and a /readyz naming every check", async () => {
    const { core } = consoleCore();
    const port = (await core.ops.start())!;
    expect(port).toBeGreaterThan(0);
    expect(await get(port, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    const ready = await get(port, "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toMatch(/^ready\n/);
    for (const check of [
      "chat: console chat",
      "store: writable",
      "scheduler:",
      "sources: built-in poller only",
    ])
      expect(ready.body).toContain(check);
    expect((await get(port, "/nope")).status).toBe(404);
  });

  it("serves /metrics that promtool accepts, with the issue's metric families", async () => {
    const { core, dir } = consoleCore();
    const port = (await core.ops.start())!;
    core.metrics.polls.inc({ outcome: "ok" });
    core.metrics.pollSeconds.observe({ outcome: "ok" }, 0.2);
    const m = await get(port, "/metrics");
    expect(m.status).toBe(200);
    expect(m.type).toContain("text/plain");
    for (const name of [
      "opsbot_polls_total",
      "opsbot_poll_duration_seconds",
      "opsbot_devices",
      "opsbot_change_log_lag_seconds",
      "opsbot_alert_deliveries_total",
      "opsbot_runs",
      "opsbot_run_step_duration_seconds",
      "opsbot_approvals_pending",
      "opsbot_webhooks_total",
      "opsbot_source_query_duration_seconds",
      "opsbot_process_resident_memory_bytes",
    ])
      expect(m.body).toContain(`# TYPE ${name} `);
    expect(m.body).toContain('opsbot_polls_total{outcome="ok"} 1');
    const file = join(dir, "metrics.txt");
    writeFileSync(file, m.body);
    // promtool reads the exposition from stdin: exit 1 = does not parse, 3 = parses with lint problems.
    // The only lint problems allowed are prom-client's own default gauges named *_total (upstream naming).
    const r = spawnSync("promtool", ["check", "metrics"], { input: readFileSync(file), encoding: "utf8" });
    const problems = `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.trim() !== "");
    const foreign = problems.filter((l) => !/^opsbot_nodejs_active_\w+_total non-counter metrics/.test(l));
    expect(foreign).toEqual([]);
    expect([0, 3]).toContain(r.status);
  });

  it("is not ready when the store refuses writes, and says so by name", async () => {
    const { core } = consoleCore();
    const port = (await core.ops.start())!;
    expect((await get(port, "/readyz")).status).toBe(200);
    // SQLite's query_only makes this connection read-only: every write fails as on a read-only file
    // (the tests run as root, so chmod cannot make the file read-only).
    core.store.db.pragma("query_only = ON");
    const ready = await get(port, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/^not ready\n/);
    expect(ready.body).toMatch(/FAIL store: not writable: .*readonly/);
    expect(ready.body).toMatch(/ok {3}chat: console chat/);
  });

  it("serves the routes on Slack's port in HTTP mode", async () => {
    const emu = await startSlackEmulator();
    const dir = tempDir();
    const runtime = await startSlack({
      settings: {
        mode: "http",
        botToken: emu.botToken,
        signingSecret: "s3cret",
        port: 0,
        apiUrl: emu.apiUrl,
      },
      config: parseConfig(OPS_YAML, "test.yaml", {}),
      dbPath: join(dir.path, "opsbot.db"),
      logger: silentLogger(),
    });
    cleanups.push(async () => {
      await runtime.stop();
      await emu.stop();
      dir.cleanup();
    });
    const port = runtime.httpPort!;
    const ready = await get(port, "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toContain("ok   chat: Slack HTTP mode listening");
    expect((await get(port, "/metrics")).body).toContain("# TYPE opsbot_polls_total counter");
  });

  it("is not ready once the Slack Socket Mode connection is lost", async () => {
    const emu = await startSlackEmulator();
    const dir = tempDir();
    const runtime = await startSlack({
      settings: { mode: "socket", botToken: emu.botToken, appToken: emu.appToken, apiUrl: emu.apiUrl },
      config: parseConfig(OPS_YAML, "test.yaml", {}),
      dbPath: join(dir.path, "opsbot.db"),
      logger: silentLogger(),
    });
    let emuStopped = false;
    cleanups.push(async () => {
      await runtime.stop();
      if (!emuStopped) await emu.stop();
      dir.cleanup();
    });
    await emu.socket.waitForConnection();
    const port = (await runtime.core.ops.start())!;
    const ready = await get(port, "/readyz");
    expect(ready.status).toBe(200);
    expect(ready.body).toContain("ok   chat: Slack Socket Mode connected");
    await emu.stop();
    emuStopped = true;
    await expect
      .poll(async () => (await get(port, "/readyz")).body, { timeout: 30_000, interval: 100 })
      .toMatch(/FAIL chat: Slack Socket Mode (disconnected|reconnecting)/);
    expect((await get(port, "/readyz")).status).toBe(503);
  });
});

describe("opsbot --version", () => {
  it("prints the package version", () => {
    const cli = join(process.cwd(), "dist", "src", "cli.js");
    if (!process.env.OPSBOT_SKIP_BUILD)
      execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    const r = spawnSync(process.execPath, [cli, "--version"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`opsbot ${pkg.version}\n`);
  });
});

describe("ops listener as a lifecycle part", () => {
  const runCore = (ops: boolean) => consoleCore({ syncDevices: true, schedules: false, ops }).core;

  it("listens from Core.start to Core.stop; /readyz reports a store outage the writers saw", async () => {
    const core = runCore(true);
    expect(core.lifecycle.names()).toContain("ops");
    expect(core.ops.port()).toBeUndefined();
    await core.start();
    const port = core.ops.port()!;
    expect(port).toBeGreaterThan(0);
    expect(await get(port, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    core.storeHealth.fault(new Error("SQLITE_FULL: database or disk is full"), "run output");
    const ready = await get(port, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatch(/store: not writable: run output: .+ since /);
    await core.stop();
    expect(core.ops.port()).toBeUndefined();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it("is not part of a core that does not ask for it (one-shot commands)", () => {
    const core = runCore(false);
    expect(core.lifecycle.names()).not.toContain("ops");
  });
});
