import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { recordPoll } from "../../src/management/record-poll.js";
import { createStateRepo } from "../../src/management/state-repo.js";
import { type TestCore, testCore } from "../support/core.js";
import { drive, observation, port } from "../support/mgmt-fixtures.js";
import { runbooksDir } from "../support/runbooks-dir.js";

/**
 * Issue 14: `--json` is data. Every answer carries a versioned payload next to the rendered blocks —
 * ISO timestamps, numbers in base units, enums — never presentation strings like "9h 35m" or "0 b/s".
 */
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const HELLO = `name: hello
steps:
  - id: greet
    local: { command: "echo hello" }
`;

let core: TestCore;
let dir: ReturnType<typeof runbooksDir>;

beforeEach(() => {
  dir = runbooksDir({ hello: HELLO }, { allowLocal: true });
  core = testCore(`roles: { admin: [alice] }
${dir.orchestrationYaml}
devices:
  - { name: core-sw1, host: 127.0.0.1, tags: [core], site: hq }
  - { name: db01, host: 127.0.0.2, tags: [servers], site: hq }
`);
  const repo = createStateRepo(core.store);
  const at = core.clock.now();
  recordPoll(
    core.store,
    repo,
    observation("core-sw1", at, {
      interfaces: [port(1, { speedMbps: 10_000 }), port(2, { operStatus: "down", lastChangeCs: 0 })],
    }),
  );
  recordPoll(
    core.store,
    repo,
    observation("db01", at, {
      drives: { sources: ["idrac"], items: [drive("idrac:1", { status: "failed", rawStatus: "failed(2)" })] },
    }),
  );
  core.clock.advance(90_000);
});

afterEach(async () => {
  await core.services.orchestration.idle();
  core.cleanup();
  dir.cleanup();
});

const data = async (text: string) => (await core.ask(text)).reply.data!;

describe("every answer carries versioned data", () => {
  it("ports: speeds in bit/s, times ISO, statuses as enums", async () => {
    const d = await data("links core-sw1");
    expect(d).toMatchObject({ kind: "ports", version: 1, total: 2 });
    const ports = d.ports as Record<string, unknown>[];
    expect(ports[0]).toMatchObject({ name: "Gi1/0/1", speedBps: 10_000_000_000, operStatus: "up" });
    expect(ports[1]!.operStatus).toBe("down");
    expect(ports[1]!.downSince).toMatch(ISO);
    expect((d.age as { ageSeconds: number }).ageSeconds).toBe(90);
    const down = await data("links down");
    expect(down).toMatchObject({ kind: "ports_down", version: 1, total: 1 });
  });

  it("fleet counts, drives and firmware are numbers and enums", async () => {
    expect(await data("fleet")).toMatchObject({ kind: "fleet", devices: 2, portsDown: 1, drivesFailed: 1 });
    const drives = await data("drives failing");
    expect(drives.kind).toBe("drives");
    expect((drives.drives as { status: string; statusSince: string }[])[0]).toMatchObject({
      status: "failed",
      rawStatus: "failed(2)",
      statusSince: expect.stringMatching(ISO),
    });
    expect((await data("firmware")).kind).toBe("firmware");
  });

  it("runs and run status: ISO times, durations in seconds, status enums", async () => {
    await core.ask("run hello");
    await core.services.orchestration.idle();
    const status = await data("run status 1");
    expect(status).toMatchObject({ kind: "run", version: 1, run: { id: 1, status: "succeeded" } });
    const step = (status.steps as Record<string, unknown>[])[0]!;
    expect(step).toMatchObject({ key: "greet", status: "succeeded", exitCode: 0 });
    expect(step.startedAt).toMatch(ISO);
    expect(typeof step.durationSeconds).toBe("number");
    expect((await data("runs")).kind).toBe("runs");
    const log = await data("run log 1");
    expect(log).toMatchObject({ kind: "run_log", chunks: [{ step: "greet", text: "hello\n" }] });
    const plan = await data("run hello --dry-run");
    expect(plan).toMatchObject({ kind: "plan", runnable: true, steps: [{ key: "greet", kind: "local" }] });
  });

  it("errors carry their code; commands without a payload of their own still answer data", async () => {
    expect(await data("links nosuch")).toMatchObject({ kind: "error", code: "NOT_FOUND" });
    expect(await data("hlep")).toMatchObject({ kind: "error", version: 1 });
    expect(await data("help")).toMatchObject({ kind: "message", version: 1 });
  });

  it("no command answers without data", async () => {
    for (const c of commands) {
      const r = await core.ask(c.examples[0]!);
      expect(r.reply.data?.kind, c.examples[0]).toEqual(expect.any(String));
      expect(r.reply.data?.version, c.examples[0]).toBe(1);
    }
  });
});
