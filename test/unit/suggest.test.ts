import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { editDistance, suggest } from "../../src/chat/suggest.js";
import { resolveParams } from "../../src/orchestration/params.js";
import { type TestCore, testCore } from "../support/core.js";
import { seededRandom } from "../support/seeded-random.js";
import { tempDir } from "../support/temp.js";

/** Reference optimal string alignment distance: the textbook full matrix (Damerau 1964, restricted). */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe("did you mean", () => {
  it("counts swapped letters as one edit, agreeing with a reference OSA distance on 20,000 random pairs", () => {
    expect(editDistance("rnu", "run")).toBe(1);
    expect(editDistance("akc", "ack")).toBe(1);
    expect(editDistance("hlep", "help")).toBe(1);
    const random = seededRandom(14);
    const word = () =>
      Array.from({ length: 1 + Math.floor(random() * 7) }, () => "abcde"[Math.floor(random() * 5)]).join("");
    const disagree: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      const a = word();
      const b = word();
      if (editDistance(a, b) !== osa(a, b)) disagree.push(`${a}/${b}`);
    }
    expect(disagree).toEqual([]);
  });

  it("suggests commands with swapped letters", () => {
    expect(suggest("rnu", ["run", "runs", "ack", "alerts"])).toContain("run");
    expect(suggest("akc", ["run", "runs", "ack", "alerts"])).toEqual(["ack"]);
  });
});

describe("did you mean, in answers", () => {
  let core: TestCore | undefined;
  let dir: ReturnType<typeof tempDir> | undefined;
  afterEach(() => {
    core?.cleanup();
    dir?.cleanup();
  });

  it("suggests the command, the runbook and a device-typed parameter value", async () => {
    dir = tempDir();
    const runbooks = join(dir.path, "runbooks");
    mkdirSync(runbooks);
    writeFileSync(
      join(runbooks, "service-restart.yaml"),
      `name: service-restart
description: Restart a service
runners: [role:ops]
params:
  host: { type: device, description: the host }
steps:
  - id: restart
    local: { command: "echo {{ params.host }}" }
`,
    );
    core = testCore(
      `roles: { ops: [alice] }
orchestration: { runbooks_dir: ${JSON.stringify(runbooks)}, allow_local: true, watch: false }
devices: [{ name: web01, host: 127.0.0.1 }, { name: web10, host: 127.0.0.1 }, { name: db01, host: 127.0.0.1 }]
`,
    );
    const say = async (text: string) => replyToPlainText((await core!.ask(text)).reply);
    expect(await say("rnu")).toContain("Did you mean `run`");
    expect(await say("run service-restrat host=web01")).toContain("Did you mean `service-restart`?");
    const host = await say("run service-restart host=web09");
    expect(host).toContain('no configured device named "web09" (did you mean web01, web10?)');
    const named = resolveParams(
      { host: { type: "device" } } as never,
      { host: "web01", hots: "x" },
      { devices: ["web01"] },
    );
    expect(named.errors).toEqual(["unknown parameter hots (did you mean host? expected one of: host)"]);
  });
});
