import { afterEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { type TestCore, testCore } from "../support/core.js";

/** Issue 14: an answer over an unknown or empty scope says so; it never reads as "all clear". */
const FLEET = `
roles: { admin: [alice], oncall: [alice] }
devices:
  - { name: db01, host: 127.0.0.1, tags: [servers], site: fra1 }
  - { name: core-sw1, host: 127.0.0.1, tags: [core, network], site: ams1 }
`;

let core: TestCore | undefined;
afterEach(() => core?.cleanup());

async function say(c: TestCore, line: string) {
  const r = await c.ask(line);
  return { ...r, text: replyToPlainText(r.reply) };
}

describe("no false all-clear", () => {
  it("alerts over an unknown device, tag or site is an error with a did-you-mean", async () => {
    core = testCore(FLEET);
    const typo = await say(core, "alerts db10");
    expect(typo.outcome).toBe("user_error");
    expect(typo.text).toContain('No device, tag or site named "db10"');
    expect(typo.text).toContain("Did you mean db01");
    const nothing = await say(core, "alerts nosuch");
    expect(nothing.outcome).toBe("user_error");
    expect(nothing.text).not.toContain("No open alerts");
    // Known scopes of every kind still answer.
    for (const scope of ["db01", "servers", "ams1"]) {
      const ok = await say(core, `alerts ${scope}`);
      expect(ok.outcome, scope).toBe("ok");
      expect(ok.text).toContain(`No open alerts for ${scope}`);
    }
  });

  it("silence refuses a tag or device nobody carries, with a did-you-mean", async () => {
    core = testCore(FLEET);
    const tag = await say(core, "silence tag:nosuch 1h");
    expect(tag.outcome).toBe("user_error");
    expect(tag.text).toContain('No tag named "nosuch"');
    const near = await say(core, "silence tag:servrs 1h");
    expect(near.text).toContain("Did you mean servers");
    const dev = await say(core, "silence device:db10 1h");
    expect(dev.text).toContain("Did you mean db01");
    expect(core.alerts.silences()).toHaveLength(0);
    const ok = await say(core, "silence tag:servers 1h patching");
    expect(ok.outcome).toBe("ok");
    expect(core.alerts.silences()).toHaveLength(1);
  });

  it("a silence longer than alerts.max_silence needs --force", async () => {
    core = testCore(FLEET);
    const long = await say(core, "silence core-sw1 400d");
    expect(long.outcome).toBe("user_error");
    expect(long.text).toContain("longer than alerts.max_silence (7d)");
    expect(long.text).toContain("--force");
    expect(core.alerts.silences()).toHaveLength(0);
    expect((await say(core, "silence core-sw1 7d")).outcome).toBe("ok");
    const forced = await say(core, "silence core-sw1 400d --force decommissioning");
    expect(forced.outcome).toBe("ok");
    expect(forced.text).toContain("9600h");
    expect(core.alerts.silences()).toHaveLength(2);
  });

  it("max_silence is configurable", async () => {
    core = testCore(`${FLEET}\nalerts: { max_silence: 2h }\n`);
    expect((await say(core, "silence db01 3h")).text).toContain("alerts.max_silence (2h)");
    expect((await say(core, "silence db01 2h")).outcome).toBe("ok");
  });

  it("an empty fleet says so instead of every admin-up port is up", async () => {
    for (const yaml of ["", "devices: []\n"]) {
      core = testCore(yaml);
      for (const line of ["fleet", "links down", "drives failing", "firmware drift", "alerts"]) {
        const r = await say(core, line);
        expect(r.text, line).toContain("opsbot knows no devices");
        expect(r.text, line).not.toMatch(/every admin-up port is up|No open alerts|No drift|No failing/);
        expect(r.outcome, line).toBe("user_error");
      }
      core.cleanup();
      core = undefined;
    }
  });
});
