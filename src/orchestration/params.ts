import { suggest } from "../chat/suggest.js";
import { parseDuration } from "../lib/clock.js";
import type { ParamSpec } from "./runbooks/schema.js";

/**
 * Typed parameter validation. Values arrive as text (`k=v` in chat); each is checked by type and
 * pattern and normalised to the canonical text a template inserts. NUL and line breaks are refused
 * for every type: no legitimate parameter needs them and they are how commands get smuggled in.
 * A value is at most MAX_PARAM_LENGTH characters (docs/limits.md), the same as a form field.
 */
export const MAX_PARAM_LENGTH = 1000;

export interface ParamEnv {
  /** Configured device names, for type device. */
  devices: readonly string[];
}

export interface ResolvedParams {
  values: Record<string, string>;
  /** Names of parameters marked secret. */
  secrets: string[];
  errors: string[];
}

export function isRequired(spec: ParamSpec): boolean {
  return spec.required ?? spec.default === undefined;
}

/** Checks one value against its spec; returns the canonical text or an error sentence. */
export function checkParam(
  name: string,
  spec: ParamSpec,
  raw: string,
  env: ParamEnv,
): { value: string } | { error: string } {
  const fail = (why: string) => ({ error: `parameter ${name}: ${why}` });
  if (raw.includes("\0")) return fail("contains a NUL character, which is not allowed");
  if (/[\r\n]/.test(raw)) return fail("contains a line break, which is not allowed");
  if (raw.length > MAX_PARAM_LENGTH) {
    const n = (x: number) => x.toLocaleString("en-US");
    return fail(`is ${n(raw.length)} characters long; at most ${n(MAX_PARAM_LENGTH)} are accepted`);
  }
  let value = raw;
  switch (spec.type) {
    case "string":
      break;
    case "int":
      if (!/^-?\d{1,15}$/.test(raw.trim())) return fail(`expected an integer, got "${raw}"`);
      value = String(Number(raw.trim()));
      break;
    case "bool": {
      const b = raw.trim().toLowerCase();
      if (["true", "yes", "on", "1"].includes(b)) value = "true";
      else if (["false", "no", "off", "0"].includes(b)) value = "false";
      else return fail(`expected true or false, got "${raw}"`);
      break;
    }
    case "enum":
      if (!(spec.choices ?? []).includes(raw)) {
        return fail(`expected one of ${(spec.choices ?? []).join(", ")}, got "${raw}"`);
      }
      break;
    case "device": {
      const match = env.devices.find((d) => d.toLowerCase() === raw.trim().toLowerCase());
      if (!match) {
        const close = suggest(raw.trim(), env.devices);
        return fail(
          `no configured device named "${raw}"${close.length ? ` (did you mean ${close.join(", ")}?)` : ""}`,
        );
      }
      value = match;
      break;
    }
    case "duration":
      if (parseDuration(raw) === undefined)
        return fail(`expected a duration such as 30s or 5m, got "${raw}"`);
      value = raw.trim();
      break;
  }
  if (spec.pattern !== undefined && !anchored(spec.pattern).test(value)) {
    return fail(
      spec.secret ? "does not match the required pattern" : `"${value}" does not match /${spec.pattern}/`,
    );
  }
  return { value };
}

/** Every problem at once: unknown names, missing required values, bad values. */
export function resolveParams(
  specs: Readonly<Record<string, ParamSpec>>,
  input: Readonly<Record<string, string>>,
  env: ParamEnv,
): ResolvedParams {
  const values: Record<string, string> = {};
  const errors: string[] = [];
  const known = Object.keys(specs);
  for (const name of Object.keys(input)) {
    if (!(name in specs)) {
      const close = suggest(name, known, 1);
      const hint = close.length ? ` (did you mean ${close[0]}? expected one of: ${known.join(", ")})` : "";
      errors.push(
        `unknown parameter ${name}${hint || (known.length ? ` (expected one of: ${known.join(", ")})` : " (this runbook takes none)")}`,
      );
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const given = input[name];
    const raw = given ?? (spec.default === undefined ? undefined : String(spec.default));
    if (raw === undefined) {
      if (isRequired(spec)) errors.push(`parameter ${name} is required (${describeParam(spec)})`);
      continue;
    }
    const checked = checkParam(name, spec, raw, env);
    if ("error" in checked) errors.push(checked.error);
    else values[name] = checked.value;
  }
  const secrets = Object.entries(specs)
    .filter(([, s]) => s.secret)
    .map(([n]) => n);
  return { values, secrets, errors };
}

export function describeParam(spec: ParamSpec): string {
  const type = spec.type === "enum" ? `one of ${(spec.choices ?? []).join("|")}` : spec.type;
  return spec.description ? `${type}: ${spec.description}` : type;
}

export function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, "u");
}

/** Parameter values with secrets replaced, for plans, chat and the store. */
export function maskedParams(
  values: Readonly<Record<string, string>>,
  secrets: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = secrets.includes(k) ? "••••••" : v;
  return out;
}
