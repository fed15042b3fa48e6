import { afterEach, describe, expect, it } from "vitest";
import { commands } from "../../commands/index.js";
import { defineAction, defineCommand } from "../../src/chat/command.js";
import { reply, replyToPlainText, text } from "../../src/chat/reply.js";
import { type TestCore, testCore } from "../support/core.js";

const ROLES = `
roles:
  admin: [alice]
  oncall: [bob]
`;

const echo = defineCommand({
  name: "echo",
  summary: "say it back",
  args: [
    {
      name: "words",
      kind: "positional",
      type: "string",
      rest: true,
      required: true,
      description: "what to say",
    },
  ],
  examples: ["echo hi"],
  sideEffects: false,
  handler: (args) => reply(text(String(args.values.words))),
});
const restart = defineCommand({
  name: "restart service",
  summary: "restart a service",
  args: [{ name: "name", kind: "positional", type: "string", required: true, description: "service" }],
  examples: ["restart service nginx"],
  sideEffects: true,
  role: "oncall",
  handler: (args) => reply(text(`restarted ${args.values.name}`)),
});
const boom = defineCommand({
  name: "boom",
  summary: "fails",
  examples: [],
  sideEffects: false,
  handler: () => {
    throw new Error("database exploded at /var/secret/path");
  },
});
const click = defineAction({
  actionId: "demo.click",
  role: "oncall",
  handler: (value) => reply(text(`clicked ${value}`)),
});

let core: TestCore;
afterEach(() => core.cleanup());

const plain = async (t: string, as?: string) => replyToPlainText((await core.ask(t, as)).reply);

describe("router", () => {
  it("routes one- and two-word commands and binds arguments", async () => {
    core = testCore(ROLES, { commands: [...commands, echo, restart] });
    expect(await plain("echo hello   there")).toBe("hello there");
    const result = await core.ask("restart service nginx", "bob");
    expect(result).toMatchObject({ outcome: "ok", command: "restart service" });
    expect(replyToPlainText(result.reply)).toBe("restarted nginx");
  });

  it("suggests the closest command for a typo", async () => {
    core = testCore(ROLES, { commands: [...commands, echo] });
    const result = await core.ask("hlep");
    expect(result.outcome).toBe("unknown_command");
    expect(replyToPlainText(result.reply)).toMatch(/Did you mean `help`\?/);
  });

  it("refuses a command without the role and says which role", async () => {
    core = testCore(ROLES, { commands: [...commands, restart] });
    const result = await core.ask("restart service nginx", "carol");
    expect(result.outcome).toBe("denied");
    expect(replyToPlainText(result.reply)).toMatch(/needs the oncall role, which you \(carol\) don't have/);
    expect((await core.ask("restart service nginx", "alice")).outcome).toBe("ok"); // admin may run everything
  });

  it("filters help to what the asking user may run", async () => {
    core = testCore(ROLES, { commands: [...commands, restart] });
    expect(await plain("help", "bob")).toMatch(/restart service <name>/);
    expect(await plain("help", "carol")).not.toMatch(/restart service/);
    expect(await plain("help", "carol")).not.toMatch(/\baudit\b/);
    expect(await plain("help audit", "alice")).toMatch(/admin role/);
    expect(await plain("help audit", "carol")).toMatch(/No command `audit` that you can run/);
  });

  it("turns an unexpected failure into one sentence and keeps the detail out of chat", async () => {
    core = testCore(ROLES, { commands: [...commands, boom] });
    const result = await core.ask("boom");
    expect(result.outcome).toBe("error");
    expect(replyToPlainText(result.reply)).toMatch(/^Something went wrong running `boom`/);
    expect(replyToPlainText(result.reply)).not.toMatch(/secret/);
  });

  it("audits every command with its outcome, redacting configured secrets", async () => {
    core = testCore(`${ROLES}\nsecrets: ["hunter2-token"]`, { commands: [...commands, echo, restart] });
    await core.ask("echo my token is hunter2-token");
    await core.ask("restart service x", "carol");
    await core.ask("nonsense");
    await core.ask('echo "unterminated');
    const rows = core.services.audit.recent(10).reverse();
    expect(rows.map((r) => [r.userName, r.command ?? null, r.outcome])).toEqual([
      ["alice", "echo", "ok"],
      ["carol", "restart service", "denied"],
      ["alice", null, "unknown_command"],
      ["alice", null, "user_error"],
    ]);
    expect(rows[0]!.text).toBe("echo my token is [redacted]");
    expect(await plain("echo hunter2-token")).toBe("hunter2-token");
  });

  it("dispatches button actions with role checks and audits them", async () => {
    core = testCore(ROLES, { commands, actions: [click] });
    const ctx = (name: string) => ({ user: core.user(name), channel: "c", transport: "console" });
    expect(replyToPlainText((await core.router.dispatchAction("demo.click", "42", ctx("bob"))).reply)).toBe(
      "clicked 42",
    );
    expect((await core.router.dispatchAction("demo.click", "42", ctx("carol"))).outcome).toBe("denied");
    expect((await core.router.dispatchAction("gone.button", "1", ctx("bob"))).outcome).toBe("user_error");
    expect(core.services.audit.recent(10).map((r) => r.kind)).toEqual(["action", "action", "action"]);
  });

  it("a button re-enters the pipeline as the clicking user: binding, permission and audit apply once each", async () => {
    const relay = defineAction({
      actionId: "demo.relay",
      handler: (value, ctx) => ctx.command(`restart service ${value}`, { channel: "ops", threadTs: "9.1" }),
    });
    core = testCore(ROLES, { commands: [...commands, restart], actions: [relay] });
    const ctx = (name: string) => ({ user: core.user(name), channel: "c", transport: "console" });
    const allowed = await core.router.dispatchAction("demo.relay", "nginx", ctx("bob"));
    expect(replyToPlainText(allowed.reply)).toBe("restarted nginx");
    const refused = await core.router.dispatchAction("demo.relay", "nginx", ctx("carol"));
    expect(replyToPlainText(refused.reply)).toMatch(/needs the oncall role, which you \(carol\) don't have/);
    const rows = core.services.audit.recent(10).reverse();
    expect(rows.map((r) => [r.userName, r.kind, r.command ?? null, r.outcome, r.channel])).toEqual([
      ["bob", "command", "restart service", "ok", "ops"],
      ["bob", "action", "demo.relay", "ok", "c"],
      ["carol", "command", "restart service", "denied", "ops"],
      // The click that relayed a refusal is a refusal too.
      ["carol", "action", "demo.relay", "denied", "c"],
    ]);
  });

  it("refuses oversized input with a clear sentence and audits a bounded, redacted form", async () => {
    core = testCore(`${ROLES}\nsecrets: ["hunter2-token"]`, {
      commands: [...commands, echo],
      actions: [click],
    });
    const huge = `echo hunter2-token ${"x".repeat(1_048_576)}`;
    const result = await core.ask(huge);
    expect(result.outcome).toBe("user_error");
    expect(replyToPlainText(result.reply)).toMatch(
      /1,048,595 characters long; a command may be at most 4,000\. Nothing was run\./,
    );
    const ctx = { user: core.user("bob"), channel: "c", transport: "console" };
    const click2 = await core.router.dispatchAction("demo.click", "v".repeat(5000), ctx);
    expect(click2.outcome).toBe("user_error");
    const rows = core.services.audit.recent(10).reverse();
    expect(rows[0]!.text.length).toBeLessThan(1100);
    expect(rows[0]!.text).toMatch(/^echo \[redacted\] x+… \[\d+ more characters\]$/);
    expect(rows[1]!.text.length).toBeLessThan(1100);
  });

  it("checks a form submission per field and as a whole, naming the field and the limit", async () => {
    core = testCore(ROLES, { commands: [...commands, echo], actions: [click] });
    const ctx = (form: Record<string, string>) => ({
      user: core.user("bob"),
      channel: "c",
      transport: "slack",
      form,
    });
    const submit = (form: Record<string, string>) =>
      core.router.dispatchAction("demo.click", JSON.stringify({ values: form }), ctx(form));
    // Three fields of 900: over a button's 2,000 in all, but a form is measured per field.
    const fine = { a: "1".repeat(900), b: "2".repeat(900), c: "3".repeat(900) };
    expect((await submit(fine)).outcome).toBe("ok");
    const long = await submit({ a: "ok", service: "s".repeat(1001) });
    expect(long.outcome).toBe("user_error");
    expect(replyToPlainText(long.reply)).toBe(
      "The form was not submitted: service is 1,001 characters long; at most 1,000 are accepted. Nothing was done.",
    );
    const many = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, "x".repeat(1000)]));
    const whole = await submit(many);
    expect(whole.outcome).toBe("user_error");
    expect(replyToPlainText(whole.reply)).toMatch(
      /it carried 20,\d{3} characters; at most 16,000 are accepted/,
    );
    const rows = core.services.audit.recent(3);
    expect(rows.map((r) => r.text.length).every((n) => n <= 1100)).toBe(true);
    expect(rows[0]!.text).toMatch(/^demo\.click refused form: f0 \(1,000 characters\), f1/);
  });

  it("refuses to register two commands under one name", () => {
    expect(() => testCore("", { commands: [echo, { ...echo, aliases: [] }] })).toThrow(/registered twice/);
    core = testCore();
  });
});
