import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/lib/logger.js";
import { createSshRunner, type PooledSshRunner } from "../../src/lib/ssh/runner.js";
import { alice, createHarness } from "../support/orch-harness.js";
import { waitFor } from "../support/orch-wait.js";
import { type Sshd, startSshd } from "../support/sshd.js";

// Values that would change the command if they were spliced in raw.
const HOSTILE = [
  "x; rm -rf /",
  "$(id)",
  "`id`",
  'it\'s "quoted"',
  "'; touch /tmp/opsbot-pwned; echo '",
  "a\\b\\\\c",
  "  spaced  out  ",
  "*",
  "~root",
  "-n",
  "$HOME ${PATH} $((1+1))",
  "a | cat /etc/passwd > /dev/null & echo",
  "",
];

let sshd: Sshd;
let runner: PooledSshRunner;
let h: ReturnType<typeof createHarness>;

beforeAll(async () => {
  sshd = await startSshd();
  runner = createSshRunner({ logger: silentLogger() });
  h = createHarness({
    devices: [{ name: "target1", host: sshd.host, tags: [] }],
    ssh: runner,
    sshTargetFor: (device) => (device === "target1" ? sshd.target({ name: device }) : undefined),
    runbooks: {
      "echo.yaml": `name: echo-param
params:
  x: { type: string }
targets: [target1]
steps:
  - id: echo
    ssh: { command: "printf '<%s>\\\\n' {{ params.x }}; printf 'bytes=%s\\\\n' $(printf '%s' {{ params.x }} | wc -c)" }
runners: [role:ops]
`,
    },
  });
}, 60_000);

afterAll(async () => {
  await h?.engine.idle();
  await runner?.close();
  await sshd?.stop();
  h?.cleanup();
});

describe("parameter injection against a real sshd", () => {
  it("every hostile value arrives as exactly one literal argument", async () => {
    const ids = HOSTILE.map(
      (x) => h.engine.request({ runbook: "echo-param", params: { x }, user: alice, channel: "C1" }).run.id,
    );
    await waitFor(
      () => ids.every((id) => ["succeeded", "failed"].includes(h.journal.getRun(id)!.status)),
      60_000,
    );
    HOSTILE.forEach((x, i) => {
      const id = ids[i]!;
      const out = h.journal
        .output(id, "echo")
        .filter((o) => o.stream === "stdout")
        .map((o) => o.text)
        .join("");
      expect({ x, status: h.journal.getRun(id)!.status, out }).toEqual({
        x,
        status: "succeeded",
        out: `<${x}>\nbytes=${Buffer.byteLength(x)}\n`,
      });
    });
  }, 90_000);

  it("refuses newline and NUL before anything runs", () => {
    for (const x of ["line1\nrm -rf /", "a\rb", "nul\0byte"]) {
      expect(() =>
        h.engine.request({ runbook: "echo-param", params: { x }, user: alice, channel: "C1" }),
      ).toThrow(/check the parameters/);
    }
    const err = (() => {
      try {
        h.engine.request({ runbook: "echo-param", params: { x: "a\nb" }, user: alice, channel: "C1" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({
      code: "USAGE",
      details: ["parameter x: contains a line break, which is not allowed"],
    });
    expect(h.journal.listRuns().length).toBe(HOSTILE.length);
  });
});
