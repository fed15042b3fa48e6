import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commands } from "../commands/index.js";
import { defineCommand } from "../src/chat/command.js";
import { ConsoleChat } from "../src/chat/console/console-chat.js";
import { reply, text } from "../src/chat/reply.js";
import { parseConfig } from "../src/config/load.js";
import { silentLogger } from "../src/lib/logger.js";
import { createCore } from "../src/main.js";
import { percentile, printTable } from "./stats.js";

/**
 * Router overhead per command: tokenize, match, permission, bind typed args, handler (a no-op) and
 * the durable audit write. Target: under 1 ms. Run: node dist/bench/router.js [iterations]
 */
const iterations = Number(process.argv[2] ?? 5000);
const noop = defineCommand({
  name: "noop",
  summary: "does nothing",
  args: [
    { name: "device", kind: "positional", type: "string", required: true, description: "d" },
    { name: "since", kind: "option", type: "duration", description: "s" },
    { name: "verbose", kind: "flag", type: "bool", description: "v" },
  ],
  examples: [],
  sideEffects: false,
  handler: () => reply(text("ok")),
});
const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-"));
const config = parseConfig("roles: { admin: [alice] }", "bench.yaml", {});
const chat = new ConsoleChat({ config, userName: "alice", channel: "bench", write: () => undefined });
const core = createCore({
  config,
  dbPath: join(dir, "bench.db"),
  logger: silentLogger(),
  chat,
  commands: [...commands, noop],
});
const user = chat.currentUser;

async function measure(label: string, withAudit: boolean): Promise<[string, string][]> {
  if (!withAudit) core.services.audit.record = () => 0;
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    const r = await core.router.handle(`noop core-sw${i} since=15m --verbose`, {
      user,
      channel: "bench",
      transport: "bench",
    });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.outcome !== "ok") throw new Error(`unexpected outcome ${r.outcome}`);
  }
  const cpu = process.cpuUsage(cpu0);
  return [
    [`${label} p50`, `${percentile(times, 50).toFixed(3)} ms`],
    [`${label} p99`, `${percentile(times, 99).toFixed(3)} ms`],
    [`${label} CPU per command`, `${((cpu.user + cpu.system) / 1000 / iterations).toFixed(3)} ms`],
  ];
}

try {
  const withAudit = await measure("with durable audit (fsync)", true);
  const routing = await measure("routing only", false);
  printTable(`router overhead, ${iterations} commands`, [
    ...routing,
    ...withAudit,
    ["target", "< 1 ms (routing)"],
  ]);
} finally {
  core.close();
  rmSync(dir, { recursive: true, force: true });
}
