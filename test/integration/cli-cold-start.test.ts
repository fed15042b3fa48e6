import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { buildCli, cliEnv, opsbotSync } from "../support/cli-process.js";
import { freeUdpPort } from "../support/snmp-agents.js";
import { tempDir } from "../support/temp.js";

/**
 * What a one-shot `opsbot ask` loads, seen by a module-load tracer (`--import`: an ESM load hook
 * for every file imported, a resolve hook for imported builtins, `require.cache` at exit for
 * CommonJS), mapped through the bundle's
 * metafile (dist/cli-bundle-meta.json) to the sources each loaded chunk holds. Cold start is
 * measured in bench/cold-start.ts; this pins what it depends on: help loads none of the heavy
 * libraries, while a command that needs one still loads and uses it.
 */
const dir = tempDir();
const TRACER = join(dir.path, "trace.mjs");
const HEAVY = ["@slack/", "ssh2", "prom-client", "@opentelemetry/", "net-snmp", "@resvg/", "pino", "yaml"];
/**
 * The subsystems a one-shot command builds only when it `uses` one of their services (src/core/
 * one-shot.ts): their code is not even loaded for `help`, `links down` or `fleet`.
 */
const SUBSYSTEMS = [
  "src/core/subsystems.ts",
  "src/orchestration/service.ts",
  "src/orchestration/engine/",
  "src/management/alerts/service.ts",
  "src/management/backups/backup-service.ts",
  "src/management/poller.ts",
  "src/management/history/store-history.ts",
  "src/management/sources/prometheus/prometheus-source.ts",
  "src/lib/ops/",
];
const subsystemsIn = (sources: string[]) => SUBSYSTEMS.filter((s) => sources.some((p) => p.startsWith(s)));

beforeAll(() => {
  buildCli();
  writeFileSync(
    join(dir.path, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.OPSBOT_TRACE_OUT, url + "\\n");
  return next(url, context);
}
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.startsWith("node:")) appendFileSync(process.env.OPSBOT_TRACE_OUT, resolved.url + "\\n");
  return resolved;
}
`,
  );
  writeFileSync(
    TRACER,
    `import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
import { pathToFileURL } from "node:url";
register("./hooks.mjs", import.meta.url);
const cache = createRequire(import.meta.url).cache;
process.on("exit", () => {
  const files = Object.keys(cache).map((f) => pathToFileURL(f).href);
  appendFileSync(process.env.OPSBOT_TRACE_OUT, files.join("\\n") + "\\n");
});
`,
  );
});
afterAll(() => dir.cleanup());

let traces = 0;
/** Runs `opsbot …args` under the tracer; returns its result and every module file it loaded. */
function traced(args: string[], cwd: string) {
  const out = join(dir.path, `trace-${++traces}.txt`);
  writeFileSync(out, "");
  const r = opsbotSync(args, {
    cwd,
    env: cliEnv(cwd, { NODE_OPTIONS: `--import=${TRACER}`, OPSBOT_TRACE_OUT: out }),
  });
  const urls = readFileSync(out, "utf8").split("\n");
  const files = urls
    .filter((u) => u.startsWith("file://"))
    .map((u) => decodeURIComponent(new URL(u).pathname));
  const builtins = urls.filter((u) => u.startsWith("node:"));
  return { ...r, files: [...new Set(files)], builtins: [...new Set(builtins)] };
}

/** The sources bundled into the chunks among `files` (paths relative to the repository). */
function bundledSources(files: string[]): string[] {
  const meta = JSON.parse(readFileSync(join(process.cwd(), "dist", "cli-bundle-meta.json"), "utf8")) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  const loaded = new Set(files.map((f) => f.slice(process.cwd().length + 1)));
  return Object.entries(meta.outputs)
    .filter(([output]) => loaded.has(output))
    .flatMap(([, o]) => Object.keys(o.inputs));
}

function sub(name: string): string {
  const path = join(dir.path, name);
  mkdirSync(path);
  return path;
}

const packagesIn = (paths: string[]) =>
  HEAVY.filter((pkg) => paths.some((p) => p.includes(`node_modules/${pkg}`)));

describe("opsbot ask: what a cold start loads", () => {
  it("help lists every command the user may run, loading none of the heavy libraries and no zod locale but English", () => {
    const cwd = sub("help");
    const r = traced(["ask", "help"], cwd);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // Help lists what the asking user may run: alice has no role without a config.
    const open = commands.filter((c) => c.role === undefined);
    expect(open.length).toBeGreaterThan(20);
    for (const c of open) expect(r.stdout).toContain(c.name);

    const sources = bundledSources(r.files);
    // The tracer and the metafile see what they should (else the checks below would pass vacuously).
    expect(r.files.some((f) => f.endsWith("dist/src/cli.js"))).toBe(true);
    expect(r.files.some((f) => f.includes("node_modules/better-sqlite3/"))).toBe(true);
    expect(sources).toContain("src/config/schema.ts");
    expect(sources).toContain("commands/help.ts");

    expect(packagesIn(r.files)).toEqual([]);
    expect(packagesIn(sources)).toEqual([]);
    expect(sources.filter((s) => s.includes("src/chat/slack/"))).toEqual([]);
    expect(sources.filter((s) => /zod\/v4\/locales\/(?!en\.js)/.test(s))).toEqual([]);
    // opsbot's own modules come from the bundle, not one file at a time.
    expect(
      r.files.filter((f) => f.includes("/dist/src/") && !/dist\/src\/(cli\.js|cli-chunks\/)/.test(f)),
    ).toEqual([]);
    // better-sqlite3's addon is loaded by its path (nativeBinding), not found by the `bindings`
    // package's search; the tracer sees ESM-imported builtins (node:fs…, else this would be vacuous).
    expect(r.files.some((f) => f.endsWith("better-sqlite3/build/Release/better_sqlite3.node"))).toBe(true);
    expect(r.files.filter((f) => f.includes("node_modules/bindings/"))).toEqual([]);
    expect(r.builtins).toContain("node:fs");
    // No owner socket file: no connect attempt, and node:net is not loaded for it.
    expect(r.builtins).not.toContain("node:net");
    // No subsystem is loaded for help; nor dotenv (no .env here) and the builtins only they need.
    expect(subsystemsIn(sources)).toEqual([]);
    expect(r.files.filter((f) => f.includes("node_modules/dotenv/"))).toEqual([]);
    expect(r.builtins.filter((b) => ["node:crypto", "node:child_process"].includes(b))).toEqual([]);
  });

  it("fleet answers load no subsystem; help run and a command without `uses` do, and every one is audited", () => {
    const cwd = sub("answers");
    writeFileSync(
      join(cwd, "opsbot.yaml"),
      `roles:
  admin: [alice]
devices:
  - { name: sw1, host: 127.0.0.1, site: ams, snmp: { community: public } }
  - { name: sw2, host: 127.0.0.1, site: fra, snmp: { community: public } }
`,
    );
    const down = traced(["ask", "links down"], cwd);
    expect(down.code).toBe(0);
    expect(down.stdout).toMatch(/sw1|sw2|never polled|no poll/i);
    const fleet = traced(["ask", "fleet"], cwd);
    expect(fleet.code).toBe(0);
    expect(fleet.stdout).toMatch(/2 devices|sw1/);
    for (const r of [down, fleet]) {
      // The tracer saw the command's own module (else the check below would pass vacuously).
      expect(bundledSources(r.files)).toContain("src/management/fleet-queries.ts");
      expect(subsystemsIn(bundledSources(r.files))).toEqual([]);
    }

    // `help run` lists runbooks (orchestration); `runbooks` declares no `uses`, so it gets everything.
    const helpRun = traced(["ask", "help run"], cwd);
    expect(helpRun.code).toBe(0);
    expect(helpRun.stdout).toMatch(/runbook/i);
    expect(subsystemsIn(bundledSources(helpRun.files))).toContain("src/orchestration/service.ts");
    const runbooks = traced(["ask", "runbooks"], cwd);
    expect(runbooks.code).toBe(0);
    expect(subsystemsIn(bundledSources(runbooks.files))).toEqual(SUBSYSTEMS);

    // Who asked what is recorded for each of them, with or without the subsystems.
    const audit = opsbotSync(["ask", "--json", "audit limit=10"], { cwd });
    expect(audit.code).toBe(0);
    const rows = JSON.stringify(JSON.parse(audit.stdout).data);
    for (const command of ["links down", "fleet", "help run", "runbooks"]) expect(rows).toContain(command);
  });

  it("a .env in the working directory is read (dotenv loads only then)", () => {
    const cwd = sub("dotenv");
    writeFileSync(join(cwd, ".env"), "OPSBOT_DB=./elsewhere/opsbot.db\n");
    const r = traced(["ask", "help"], cwd);
    expect(r.code).toBe(0);
    expect(r.files.some((f) => f.includes("node_modules/dotenv/"))).toBe(true);
    expect(existsSync(join(cwd, "elsewhere", "opsbot.db"))).toBe(true);
    expect(existsSync(join(cwd, "data"))).toBe(false);
  });

  it("a command that needs them loads them: refresh polls over SNMP (net-snmp) and counts the poll (prom-client)", async () => {
    const cwd = sub("refresh");
    const port = await freeUdpPort();
    writeFileSync(
      join(cwd, "opsbot.yaml"),
      `roles:
  oncall: [alice]
devices:
  - name: sw1
    host: 127.0.0.1
    snmp: { port: ${port}, community: public, timeout_ms: 300, retries: 0 }
`,
    );
    const r = traced(["ask", "refresh sw1"], cwd);
    expect(`${r.stdout}${r.stderr}`).toMatch(/sw1/);
    expect(`${r.stdout}${r.stderr}`).toMatch(/did not answer|unreachable|no answer|timed out/i);
    // yaml comes bundled (a chunk, preloaded when there is a config to read); net-snmp from node_modules.
    const loaded = [...r.files, ...bundledSources(r.files)];
    expect(packagesIn(loaded)).toEqual(expect.arrayContaining(["net-snmp", "prom-client", "yaml"]));
    expect(packagesIn(loaded)).not.toContain("@slack/");
    expect(r.files.filter((f) => f.includes("node_modules/yaml/"))).toEqual([]);
  });
});
