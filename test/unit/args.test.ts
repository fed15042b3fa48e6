import { describe, expect, it } from "vitest";
import { bindArgs, usage } from "../../src/chat/args.js";
import type { CommandSpec } from "../../src/chat/command.js";
import { reply } from "../../src/chat/reply.js";
import { tokenize } from "../../src/chat/tokenize.js";
import type { OpsbotError } from "../../src/lib/errors.js";

const spec: CommandSpec = {
  name: "silence",
  summary: "silence alerts",
  args: [
    {
      name: "target",
      kind: "positional",
      type: "string",
      required: true,
      description: "device, tag or rule",
    },
    { name: "duration", kind: "positional", type: "duration", required: true, description: "how long" },
    { name: "reason", kind: "positional", type: "string", rest: true, description: "why" },
    {
      name: "severity",
      kind: "option",
      type: "enum",
      choices: ["info", "warning", "critical"],
      description: "min severity",
    },
    { name: "count", kind: "option", type: "int", default: 3, description: "how many" },
    { name: "dry-run", kind: "flag", type: "bool", description: "only show" },
  ],
  examples: [],
  sideEffects: true,
  handler: () => reply(),
};

const bind = (text: string, s: CommandSpec = spec) => bindArgs(s, tokenize(text));
const problems = (text: string, s: CommandSpec = spec): string[] => {
  try {
    bind(text, s);
  } catch (err) {
    return (err as OpsbotError).details;
  }
  throw new Error("expected a usage error");
};

describe("bindArgs", () => {
  it("binds positionals, typed options, flags, defaults and a rest argument", () => {
    const { values } = bind(`core-sw1 2h severity=Critical --dry-run "fibre cut" upstream`);
    expect(values).toEqual({
      target: "core-sw1",
      duration: 7_200_000,
      reason: "fibre cut upstream",
      severity: "critical",
      count: 3,
      "dry-run": true,
    });
  });

  it("accepts --key value and --key=value for options", () => {
    expect(bind("x 5m --count 7").values.count).toBe(7);
    expect(bind("x 5m --count=8").values.count).toBe(8);
  });

  it("reports every problem at once", () => {
    const found = problems("count=abc severity=loud --bogus flavour=x");
    expect(found).toEqual([
      'count=: expected a whole number, got "abc".',
      'severity=: expected one of info, warning, critical, got "loud".',
      expect.stringContaining("Unknown flag --bogus"),
      expect.stringContaining("Unknown option flavour=…"),
      "Missing <target>: device, tag or rule.",
      "Missing <duration>: how long.",
    ]);
  });

  it("rejects a malformed duration and a repeated option", () => {
    expect(problems("x soon count=1 count=2")).toEqual([
      "count= is given twice.",
      '<duration>: expected a duration like 30s, 15m, 2h or 1d, got "soon".',
    ]);
  });

  it("rejects surplus positionals when there is no rest argument", () => {
    const noRest = { ...spec, args: spec.args!.filter((a) => a.name !== "reason") };
    expect(problems("a 1m b c", noRest)).toEqual(['Unexpected arguments "b", "c".']);
  });

  it("collects undeclared key=value pairs when the command allows them, keeping '=' in values", () => {
    const run: CommandSpec = { ...spec, name: "run", args: [spec.args![0]!], allowExtraOptions: true };
    expect(bind("deploy version=1.2.3 url=http://a/b?c=d", run)).toEqual({
      values: { target: "deploy" },
      extra: { version: "1.2.3", url: "http://a/b?c=d" },
    });
  });

  it("generates a usage line from the spec", () => {
    expect(usage(spec)).toBe(
      "silence <target> <duration> [reason…] [severity=info|warning|critical] [count=int] [--dry-run]",
    );
  });
});
