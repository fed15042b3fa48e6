import { parseDuration } from "../lib/clock.js";
import { UsageError } from "../lib/errors.js";
import type { ArgSpec, CommandSpec, ParsedArgs } from "./command.js";
import type { Token } from "./tokenize.js";

/**
 * Binds tokens to a command's argument spec. Every problem is collected and reported together, so a
 * user fixes a command line in one go rather than one error per attempt.
 */
export function bindArgs(spec: CommandSpec, tokens: Token[]): ParsedArgs {
  const argSpecs = spec.args ?? [];
  const positionals = argSpecs.filter((a) => a.kind === "positional");
  const named = new Map(argSpecs.filter((a) => a.kind !== "positional").map((a) => [a.name, a]));
  const values: ParsedArgs["values"] = {};
  const extra: Record<string, string> = {};
  const problems: string[] = [];
  const rawPositionals: string[] = [];
  // Names the user gave (even with a bad value), so a bad value is not also reported as missing.
  const given = new Set<string>();

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.key !== undefined) {
      const arg = named.get(token.key);
      if (arg) assign(arg, token.value, values, problems, given);
      else if (spec.allowExtraOptions) {
        if (token.key in extra) problems.push(`${token.key} is given twice.`);
        extra[token.key] = token.value;
      } else problems.push(`Unknown option ${token.key}=… (${describeNamed(named)}).`);
      continue;
    }
    if (!token.quoted && token.value.startsWith("--") && token.value.length > 2) {
      const body = token.value.slice(2);
      const eq = body.indexOf("=");
      const flagName = eq >= 0 ? body.slice(0, eq) : body;
      const arg = named.get(flagName);
      if (!arg) {
        problems.push(`Unknown flag --${flagName} (${describeNamed(named)}).`);
      } else if (arg.kind === "flag") {
        if (eq >= 0) assign(arg, body.slice(eq + 1), values, problems, given);
        else values[arg.name] = true;
      } else if (eq >= 0) {
        assign(arg, body.slice(eq + 1), values, problems, given);
      } else if (i + 1 < tokens.length) {
        assign(arg, tokens[++i]!.value, values, problems, given);
      } else {
        problems.push(`--${flagName} needs a value.`);
      }
      continue;
    }
    rawPositionals.push(token.value);
  }

  positionals.forEach((arg, index) => {
    if (arg.rest) {
      const rest = rawPositionals.slice(index);
      if (rest.length > 0) assign(arg, rest.join(" "), values, problems, given);
      rawPositionals.length = Math.min(rawPositionals.length, index);
    } else if (index < rawPositionals.length) {
      assign(arg, rawPositionals[index]!, values, problems, given);
    }
  });
  if (rawPositionals.length > positionals.length) {
    const surplus = rawPositionals.slice(positionals.length).map((v) => `"${v}"`);
    problems.push(`Unexpected ${surplus.length === 1 ? "argument" : "arguments"} ${surplus.join(", ")}.`);
  }

  for (const arg of argSpecs) {
    if (values[arg.name] !== undefined || given.has(arg.name)) continue;
    if (arg.default !== undefined) values[arg.name] = arg.default;
    else if (arg.required) problems.push(`Missing ${describeArg(arg)}: ${arg.description}.`);
    else if (arg.kind === "flag") values[arg.name] = false;
  }

  if (problems.length > 0) {
    throw new UsageError(
      `${problems.length === 1 ? "There is a problem" : `There are ${problems.length} problems`} with \`${spec.name}\`. Usage: ${usage(spec)}`,
      problems,
    );
  }
  return { values, extra };
}

function assign(
  arg: ArgSpec,
  raw: string,
  values: ParsedArgs["values"],
  problems: string[],
  given: Set<string>,
): void {
  const repeated = given.has(arg.name);
  given.add(arg.name);
  if (repeated && arg.kind !== "flag") {
    problems.push(`${describeArg(arg)} is given twice.`);
    return;
  }
  const converted = convert(arg, raw);
  if (typeof converted === "object") problems.push(`${describeArg(arg)}: ${converted.problem}`);
  else values[arg.name] = converted;
}

function convert(arg: ArgSpec, raw: string): string | number | boolean | { problem: string } {
  switch (arg.type) {
    case "int": {
      if (!/^-?\d+$/.test(raw)) return { problem: `expected a whole number, got "${raw}".` };
      return Number(raw);
    }
    case "bool": {
      const v = raw.toLowerCase();
      if (["true", "yes", "on", "1"].includes(v)) return true;
      if (["false", "no", "off", "0"].includes(v)) return false;
      return { problem: `expected true or false, got "${raw}".` };
    }
    case "duration": {
      const ms = parseDuration(raw);
      if (ms === undefined) return { problem: `expected a duration like 30s, 15m, 2h or 1d, got "${raw}".` };
      return ms;
    }
    case "enum": {
      const choices = arg.choices ?? [];
      const match = choices.find((c) => c.toLowerCase() === raw.toLowerCase());
      if (!match) return { problem: `expected one of ${choices.join(", ")}, got "${raw}".` };
      return match;
    }
    default:
      if (raw.length === 0) return { problem: "must not be empty." };
      return raw;
  }
}

function describeArg(arg: ArgSpec): string {
  if (arg.kind === "positional") return `<${arg.name}>`;
  if (arg.kind === "flag") return `--${arg.name}`;
  return `${arg.name}=`;
}

function describeNamed(named: Map<string, ArgSpec>): string {
  if (named.size === 0) return "this command takes no options";
  return `known: ${[...named.values()].map(describeArg).join(", ")}`;
}

/** One-line usage generated from the spec: `links <device> [port-filter] [--json]`. */
export function usage(spec: CommandSpec): string {
  const parts = [spec.name];
  for (const arg of spec.args ?? []) {
    const inner =
      arg.kind === "positional"
        ? `${arg.name}${arg.rest ? "…" : ""}`
        : arg.kind === "flag"
          ? `--${arg.name}`
          : `${arg.name}=${arg.type === "enum" ? (arg.choices ?? []).join("|") : arg.type}`;
    parts.push(arg.required ? `<${inner}>` : `[${inner}]`);
  }
  if (spec.allowExtraOptions) parts.push("[key=value…]");
  return parts.join(" ");
}
