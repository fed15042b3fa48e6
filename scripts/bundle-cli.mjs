/**
 * Bundles the `opsbot` command (src/cli.ts) into dist/src/cli.js plus lazily loaded chunks in
 * dist/src/cli-chunks/, replacing tsc's dist/src/cli.js (the rest of dist/ stays tsc's, for tests
 * and benches). Why: on Node 20 a cold start spent most of its time finding, reading and compiling
 * ~540 module files one by one; a few chunks cost a fraction of that. Each subcommand (and Slack,
 * SSH, charts…) stays behind its dynamic import, so `opsbot ask` still loads only what it uses.
 *   node scripts/bundle-cli.mjs      (run by `npm run build`)
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "src");
const chunks = join(outdir, "cli-chunks");

const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: "src/cli.ts" },
  outdir,
  // Chunks sit as deep as dist/src/cli/*.js did, so paths found from import.meta.url still hold.
  chunkNames: "cli-chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
  // Native addons, packages that load their own files by path, and the heavy ones only one mode
  // uses stay in node_modules and load as before.
  external: ["better-sqlite3", "@resvg/resvg-js", "ssh2", "cpu-features", "net-snmp", "@slack/*"],
  // CommonJS packages bundled into ESM still call require() for Node's built-ins.
  banner: {
    js: 'import { createRequire as __opsbotCreateRequire } from "node:module"; const require = __opsbotCreateRequire(import.meta.url);',
  },
});

// Which sources each chunk holds: test/integration/cli-cold-start.test.ts reads it to check what
// `opsbot ask help` loads; `npx esbuild --analyze`-style questions are answered from it too.
writeFileSync(join(root, "dist", "cli-bundle-meta.json"), JSON.stringify(result.metafile));
// Chunks of earlier builds go; same-content chunks keep their names, so a CLI running meanwhile is unharmed.
const current = new Set(Object.keys(result.metafile.outputs).map((o) => relative(chunks, join(root, o))));
if (existsSync(chunks))
  for (const f of readdirSync(chunks)) if (!current.has(f)) rmSync(join(chunks, f), { force: true });
