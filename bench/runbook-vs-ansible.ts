import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { Redactor } from "../src/lib/redact.js";
import { createSshRunner } from "../src/lib/ssh/runner.js";
import type { SshTarget } from "../src/lib/ssh/types.js";
import { createEngine } from "../src/orchestration/engine/engine.js";
import { createJournal } from "../src/orchestration/journal.js";
import { createRunbookCatalog } from "../src/orchestration/runbooks/catalog.js";
import { createSshExecutor } from "../src/orchestration/steps/ssh.js";
import type { Executors, StepExecutor } from "../src/orchestration/steps/types.js";
import { openStore } from "../src/store/store.js";
import { SSHD_BIN, type Sshd, startSshd } from "../test/support/sshd.js";
import { loadNow, medianRange, percentile, printTable } from "./stats.js";

/**
 * A 5-step runbook of trivial commands (`true`), run by opsbot's engine over SSH and by Debian's
 * ansible-playbook (ansible.builtin.command, pipelining on, ControlPersist as shipped) against the same
 * local sshd listening on 10 loopback addresses (127.0.0.2–11 = 10 hosts). Scenarios: 1 host;
 * 10 hosts rolling (one host through all steps, then the next: `max_parallel: 1` / `serial: 1`);
 * 10 hosts in parallel (`max_parallel: 10` / forks 10). Both start cold every run: a new opsbot
 * runner (no pooled connection) and a new ControlPath dir for Ansible.
 *
 * The wire peer: OpenSSH's own client multiplexing (`ssh -o ControlMaster`), one master per host
 * started in the run, then each step one `ssh -S … true` through it — the same sshd, hosts and steps,
 * no engine and no journal. Its per-exec time is the floor an SSH exec costs here.
 *
 * Rounds alternate which tool goes first; each figure is the median (range) of per-round values.
 *   npm run bench -- runbook-vs-ansible      (BENCH_ROUNDS=5; BENCH_SCENARIOS=all adds 1 host and parallel)
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STEPS = 5;
const HOSTS = Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 2}`);
const ANSIBLE = "/usr/bin/ansible-playbook";

interface Scenario {
  label: string;
  hosts: number;
  parallel: number;
}
const ALL_SCENARIOS: Scenario[] = [
  { label: "1 host", hosts: 1, parallel: 1 },
  { label: "10 hosts rolling", hosts: 10, parallel: 1 },
  { label: "10 hosts parallel", hosts: 10, parallel: 10 },
];
// Ansible takes ~40 s per rolling round on a busy 2-core machine: by default only the target
// scenario runs, so the bench stays within ~3 minutes. BENCH_SCENARIOS=all runs all three.
const SCENARIOS =
  process.env.BENCH_SCENARIOS === "all"
    ? ALL_SCENARIOS
    : ALL_SCENARIOS.filter((s) => s.label === "10 hosts rolling");

interface Sample {
  wallMs: number;
  cpuMs: number;
}

interface MuxSample {
  wallMs: number;
  /** Median of the run's single `ssh -S … true` execs (master already up). */
  execMs: number;
}

/** Runs `ssh args`; resolves when it exits (a `-f` master's background half keeps no pipe of ours). */
function ssh(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`ssh ${args.at(-1)} exited ${code}`)),
    );
  });
}

const missing = [ANSIBLE, SSHD_BIN].filter((p) => !existsSync(p));
if (missing.length > 0) {
  process.stdout.write(
    `skipped: ${missing.join(", ")} not installed (apt-get install ansible-core openssh-server)\n`,
  );
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-ansible-"));
const user = { id: "U1", name: "bench", roles: ["ops"] };

function runbookYaml(parallel: number): string {
  const steps = Array.from({ length: STEPS }, (_, i) =>
    [
      `  - id: s${i}`,
      ...(i > 0 ? [`    needs: [s${i - 1}]`] : []),
      "    for_each: targets",
      `    max_parallel: ${parallel}`,
      "    timeout: 30s",
      '    ssh: { command: "true" }',
    ].join("\n"),
  );
  return `name: bench\nrunners: [role:ops]\ntargets: ["tag:bench"]\nsteps:\n${steps.join("\n")}\n`;
}

function playbookYaml(parallel: number): string {
  const tasks = Array.from(
    { length: STEPS },
    (_, i) => `    - name: s${i}\n      ansible.builtin.command: "true"\n      timeout: 30`,
  );
  return [
    "- hosts: bench",
    "  gather_facts: false",
    ...(parallel === 1 ? ["  serial: 1"] : []),
    "  tasks:",
    ...tasks,
    "",
  ].join("\n");
}

async function opsbotRun(sshd: Sshd, s: Scenario, round: number): Promise<Sample> {
  const runbookDir = join(dir, `rb-${round}-${s.hosts}-${s.parallel}`);
  mkdirSync(runbookDir, { recursive: true });
  writeFileSync(join(runbookDir, "bench.yaml"), runbookYaml(s.parallel));
  const store = openStore(join(runbookDir, "journal.db"));
  const journal = createJournal({ store, clock: systemClock });
  const catalog = createRunbookCatalog({ dir: runbookDir, saveVersion: (v) => journal.saveVersion(v) });
  const hosts = HOSTS.slice(0, s.hosts);
  const targets = new Map<string, SshTarget>(
    hosts.map((h) => [`h${h}`, sshd.target({ host: h, name: `h${h}` })]),
  );
  const ssh = createSshRunner({ logger: silentLogger() });
  const never: StepExecutor = async () => ({ status: "failed", error: "not in this bench" });
  const executors: Executors = {
    ssh: createSshExecutor({ ssh, targetFor: (d) => targets.get(d), maxOutputBytes: 65536 }),
    local: never,
    gate: never,
    wait: never,
    notify: never,
  };
  const engine = createEngine({
    store,
    clock: systemClock,
    logger: silentLogger(),
    redactor: new Redactor([]),
    runbook: (name) => catalog.get(name),
    devices: () => hosts.map((h) => ({ name: `h${h}`, host: h, tags: ["bench"] })),
    executors,
    sleep: async () => {},
    settings: {
      defaultStepTimeoutMs: 60_000,
      approvalExpiresInMs: 60_000,
      allowLocal: false,
      outputCapBytes: 1024 * 1024,
      outputFlushMs: 50,
    },
  });
  try {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const r = engine.request({ runbook: "bench", params: {}, user, channel: "bench" });
    await engine.idle();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const run = engine.journal.getRun(r.run.id);
    if (run?.status !== "succeeded") throw new Error(`opsbot run ended ${run?.status}`);
    const ran = store.db
      .prepare("SELECT count(*) FROM run_steps WHERE run_id = ? AND status = 'succeeded'")
      .pluck()
      .get(r.run.id);
    if (ran !== STEPS * s.hosts) throw new Error(`opsbot ran ${ran} steps, expected ${STEPS * s.hosts}`);
    return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
  } finally {
    await ssh.close();
    store.close();
  }
}

/** The 5 steps over each host through an OpenSSH mux master per host (`parallel` hosts at a time). */
async function muxRun(sshd: Sshd, knownHosts: string, s: Scenario, round: number): Promise<MuxSample> {
  const work = mkdtempSync(join(dir, `mux-${round}-`));
  const execs: number[] = [];
  const common = (host: string, i: number) => [
    "-o",
    `ControlPath=${join(work, String(i))}`,
    "-o",
    `UserKnownHostsFile=${knownHosts}`,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    "BatchMode=yes",
    "-i",
    sshd.clientKeyPath,
    "-p",
    String(sshd.port),
    `${sshd.user}@${host}`,
  ];
  const oneHost = async (host: string, i: number) => {
    await ssh(["-o", "ControlMaster=yes", "-f", "-N", ...common(host, i)]);
    try {
      for (let step = 0; step < STEPS; step++) {
        const t0 = process.hrtime.bigint();
        await ssh(["-o", "ControlMaster=no", ...common(host, i), "true"]);
        execs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    } finally {
      await ssh(["-O", "exit", ...common(host, i)]).catch(() => undefined);
    }
  };
  const hosts = HOSTS.slice(0, s.hosts);
  const t0 = process.hrtime.bigint();
  for (let next = 0; next < hosts.length; next += s.parallel)
    await Promise.all(hosts.slice(next, next + s.parallel).map((h, j) => oneHost(h, next + j)));
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return { wallMs, execMs: percentile(execs, 50) };
}

function writeAnsibleFiles(sshd: Sshd): { inventory: string; knownHosts: string } {
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, HOSTS.map((h) => `[${h}]:${sshd.port} ${sshd.hostKeyLine}\n`).join(""));
  const inventory = join(dir, "inventory.ini");
  writeFileSync(
    inventory,
    [
      "[bench]",
      ...HOSTS.map((h) => `h${h} ansible_host=${h}`),
      "[bench:vars]",
      `ansible_port=${sshd.port}`,
      `ansible_user=${sshd.user}`,
      `ansible_ssh_private_key_file=${sshd.clientKeyPath}`,
      `ansible_ssh_common_args='-o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes'`,
      "ansible_python_interpreter=/usr/bin/python3",
      "",
    ].join("\n"),
  );
  return { inventory, knownHosts };
}

/** Wall time and CPU (its own and its reaped children's: python workers, ssh clients). */
function ansibleRun(inventory: string, s: Scenario, round: number): Promise<Sample> {
  const work = join(dir, `ans-${round}-${s.hosts}-${s.parallel}`);
  mkdirSync(join(work, "cp"), { recursive: true });
  const playbook = join(work, "play.yaml");
  writeFileSync(playbook, playbookYaml(s.parallel));
  const limit = HOSTS.slice(0, s.hosts)
    .map((h) => `h${h}`)
    .join(",");
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: work,
    ANSIBLE_PIPELINING: "True",
    ANSIBLE_HOST_KEY_CHECKING: "True",
    ANSIBLE_SSH_CONTROL_PATH_DIR: join(work, "cp"),
    ANSIBLE_LOCAL_TEMP: join(work, "tmp"),
    ANSIBLE_FORKS: String(s.parallel === 1 ? 5 : s.parallel),
    ANSIBLE_NOCOLOR: "1",
    ANSIBLE_RETRY_FILES_ENABLED: "False",
  };
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    // `time -f` is not everywhere; bash's `times` prints the children's CPU after the playbook.
    const child = spawn(
      "/bin/bash",
      [
        "-c",
        `"$0" -i "$1" -l "$2" "$3" >"$4" 2>&1; rc=$?; times; exit $rc`,
        ANSIBLE,
        inventory,
        limit,
        playbook,
        join(work, "out.log"),
      ],
      { env, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) {
        reject(new Error(`ansible-playbook exited ${code}: see ${join(work, "out.log")}`));
        return;
      }
      // `times`: two lines "XmY.YYYs XmY.YYYs": the shell's, then its children's user and system time.
      const lines = out.trim().split("\n");
      const toMs = (t: string) => {
        const m = /^(\d+)m([\d.]+)s$/.exec(t);
        return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : Number.NaN;
      };
      const [u, sys] = (lines.at(-1) ?? "").split(/\s+/);
      resolve({ wallMs, cpuMs: toMs(u ?? "") + toMs(sys ?? "") });
    });
  });
}

async function main(): Promise<void> {
  const sshd = await startSshd({ extraAddresses: HOSTS });
  const { inventory, knownHosts } = writeAnsibleFiles(sshd);
  const loads: string[] = [loadNow()];
  const results = new Map<string, { opsbot: Sample[]; ansible: Sample[]; mux: MuxSample[] }>();
  try {
    // Warm-up (file cache, Python bytecode), not counted.
    await opsbotRun(sshd, ALL_SCENARIOS[0]!, -1);
    await ansibleRun(inventory, ALL_SCENARIOS[0]!, -1);
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of SCENARIOS) {
        const entry = results.get(s.label) ?? { opsbot: [], ansible: [], mux: [] };
        results.set(s.label, entry);
        // The mux peer runs right next to opsbot (same moment's load), on alternating sides.
        if (round % 2 === 0) {
          entry.mux.push(await muxRun(sshd, knownHosts, s, round));
          entry.opsbot.push(await opsbotRun(sshd, s, round));
          entry.ansible.push(await ansibleRun(inventory, s, round));
        } else {
          entry.ansible.push(await ansibleRun(inventory, s, round));
          entry.opsbot.push(await opsbotRun(sshd, s, round));
          entry.mux.push(await muxRun(sshd, knownHosts, s, round));
        }
      }
      loads.push(loadNow());
    }
  } finally {
    await sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  for (const s of SCENARIOS) {
    const { opsbot, ansible, mux } = results.get(s.label)!;
    const perStep = (x: { wallMs: number }) => x.wallMs / (STEPS * s.hosts);
    const wallRatio = opsbot.map((o, i) => o.wallMs / ansible[i]!.wallMs);
    const cpuRatio = opsbot.map((o, i) => o.cpuMs / ansible[i]!.cpuMs);
    printTable(`${STEPS} trivial steps, ${s.label} — ${ROUNDS} alternating rounds, median (range)`, [
      ["wall ratio opsbot / Ansible", medianRange(wallRatio, 3)],
      ["CPU ratio opsbot / Ansible (client side)", medianRange(cpuRatio, 3)],
      ["wall per step per host, opsbot", `${medianRange(opsbot.map(perStep), 1)} ms`],
      ["wall per step per host, Ansible", `${medianRange(ansible.map(perStep), 1)} ms`],
      ["wall per step per host, OpenSSH mux (a master per host)", `${medianRange(mux.map(perStep), 1)} ms`],
      [
        "OpenSSH mux exec alone (`ssh -S … true`, median)",
        `${medianRange(
          mux.map((m) => m.execMs),
          1,
        )} ms`,
      ],
      [
        "opsbot per step / OpenSSH mux exec",
        medianRange(
          opsbot.map((o, i) => perStep(o) / mux[i]!.execMs),
          2,
        ),
      ],
      [
        "opsbot per step / OpenSSH mux per step",
        medianRange(
          opsbot.map((o, i) => perStep(o) / perStep(mux[i]!)),
          2,
        ),
      ],
      [
        "wall per run, opsbot / Ansible",
        `${percentile(
          opsbot.map((x) => x.wallMs),
          50,
        ).toFixed(0)} / ${percentile(
          ansible.map((x) => x.wallMs),
          50,
        ).toFixed(0)} ms`,
      ],
    ]);
  }
  printTable(
    "while measuring",
    loads.map((l, i) => [i === 0 ? "before" : `after round ${i}`, l]),
  );
  printTable("targets", [
    ["wall per step per host, rolling, opsbot/Ansible", "≤ 0.05 and ≤ 12 ms absolute on an idle machine"],
  ]);
}

await main();
