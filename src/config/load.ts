import { readFileSync } from "node:fs";
import type { Document, Node } from "yaml";
import type * as z from "zod";
import { ConfigError, OpsbotError } from "../lib/errors.js";
import { yaml } from "../lib/lazy-yaml.js";
import { PARSE_ONCE } from "../lib/parse-once.js";
import { readPlainYaml } from "./plain-yaml.js";
import { type Config, configSchema } from "./schema.js";

/**
 * Reads, resolves and validates opsbot.yaml. Every problem is reported at once, each naming the file,
 * the line where the YAML parser knows it, the key path and what is expected.
 */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Config {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (err as Error).message;
    throw new OpsbotError(
      "CONFIG_UNREADABLE",
      `Cannot read the config file ${path}: ${reason}. Copy opsbot.example.yaml to opsbot.yaml, or point --config / OPSBOT_CONFIG at your file.`,
      { cause: err },
    );
  }
  return parseConfig(source, path, env);
}

/** The config of a process without a config file: every default, no YAML to parse (or load). */
export function emptyConfig(): Config {
  return configSchema.parse({}, PARSE_ONCE);
}

/**
 * A config that reads clean (the common case) is read as plain values and validated once: no yaml
 * Document, no positions. Anything to report takes the yaml library's Document path, which finds
 * the line of each problem: the same errors as always, paid for only when there are some.
 */
export function parseConfig(source: string, file: string, env: NodeJS.ProcessEnv = process.env): Config {
  const plain = readPlainYaml(source);
  if (plain !== undefined) {
    let clean = true;
    const raw = substituteEnv(plain ?? {}, env, [], () => {
      clean = false;
    });
    if (clean) {
      const result = configSchema.safeParse(raw, PARSE_ONCE);
      if (result.success) return result.data;
    }
  }
  return parseWithPositions(source, file, env);
}

function parseWithPositions(source: string, file: string, env: NodeJS.ProcessEnv): Config {
  const lines = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const pos = lines.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    throw new ConfigError(
      `${file} is not valid YAML.`,
      doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split("\n")[0]}`),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    // The yaml library bounds alias expansion (an anchor's uses × the aliases inside it ≤ 100).
    if (!(err instanceof ReferenceError)) throw err;
    throw new ConfigError(`${file} cannot be read: ${err.message}.`, [
      `${file}: a YAML anchor is used too often (more than 100 aliases of one anchor are refused): write the values out, or give the devices that share them a profile (profiles:) instead of an anchor.`,
    ]);
  }
  const problems: string[] = [];
  const raw = substituteEnv(value ?? {}, env, [], (path, message) =>
    problems.push(`${at(offsetOf(doc, path))} ${formatPath(path)}: ${message}`),
  );
  if (problems.length > 0) throw new ConfigError(`${file} references unset environment variables.`, problems);

  const result = configSchema.safeParse(raw, { ...PARSE_ONCE, reportInput: true });
  if (!result.success) {
    throw new ConfigError(
      `${file} has ${result.error.issues.length === 1 ? "a problem" : `${result.error.issues.length} problems`}.`,
      result.error.issues.map((issue) => {
        const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
        return `${at(offsetOf(doc, path))} ${formatPath(path) || "(top level)"}: ${describeIssue(issue)}`;
      }),
    );
  }
  return result.data;
}

/**
 * `${VAR}` and `${VAR:-default}` in any string value; `$${` writes a literal `${`. Copy on write: a
 * mapping or list without a reference is returned as it is (a 50,000-device list is not copied), and
 * `path` is one stack, copied only when a problem is reported.
 */
function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  report: (path: (string | number)[], message: string) => void,
): unknown {
  if (typeof value === "string") {
    if (!value.includes("${")) return value;
    return value.replace(
      /\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
      (whole, name: string, fallback?: string) => {
        if (whole.startsWith("$$")) return whole.slice(1);
        const v = env[name];
        if (v !== undefined && v !== "") return v;
        if (fallback !== undefined) return fallback;
        report([...path], `environment variable ${name} is not set (put it in .env or the environment)`);
        return "";
      },
    );
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const v = substituteEnv(value[i], env, path, report);
      path.pop();
      if (v === value[i]) continue;
      out ??= value.slice();
      out[i] = v;
    }
    return out ?? value;
  }
  if (value !== null && typeof value === "object") {
    let out: Record<string, unknown> | undefined;
    for (const [k, old] of Object.entries(value)) {
      path.push(k);
      const v = substituteEnv(old, env, path, report);
      path.pop();
      if (v === old) continue;
      out ??= { ...value };
      // defineProperty: a key named __proto__ stays a key, as Object.fromEntries kept it.
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out ?? value;
  }
  return value;
}

/** Where in the source a key path starts, as far as it exists in the document. */
function offsetOf(doc: Document, path: (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (node as Node | null)?.range?.[0];
  for (const key of path) {
    if (yaml().isMap(node)) {
      const pair = node.items.find((p) => yaml().isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (yaml().isSeq(node) && typeof key === "number") {
      node = node.items[key];
      offset = (node as Node | undefined)?.range?.[0] ?? offset;
    } else break;
  }
  return offset;
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${issue.expected}${describeInput(issue.input)}`;
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")} (check the spelling against opsbot.example.yaml)`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return issue.message;
  }
}

/** Shows what was given, but never a long string: it may be a secret typed into the wrong key. */
function describeInput(input: unknown): string {
  if (input === undefined) return " (missing)";
  if (input === null) return ", got null";
  if (typeof input === "string") return input.length <= 24 ? `, got "${input}"` : ", got a string";
  if (typeof input === "number" || typeof input === "boolean") return `, got ${input}`;
  return Array.isArray(input) ? ", got a list" : ", got a mapping";
}
