import { createHash } from "node:crypto";
import type { Node } from "yaml";
import type * as z from "zod";
import { yaml } from "../../lib/lazy-yaml.js";
import { PARSE_ONCE } from "../../lib/parse-once.js";
import { formatPath, type PathSegment, type RunbookProblem } from "./problems.js";
import { type Runbook, runbookSchema } from "./schema.js";
import { validateRunbook } from "./validate.js";

/** A runbook that passed every check, pinned to the exact bytes it came from. */
export interface RunbookVersion {
  name: string;
  /** sha256 of the file content, hex. Runs record it and resume on exactly this version. */
  hash: string;
  file: string;
  content: string;
  runbook: Runbook;
}

export type ParseResult = { ok: true; version: RunbookVersion } | { ok: false; problems: RunbookProblem[] };

export function contentHash(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

/** Parses and validates one runbook file's text. Returns every problem, each with file, line and field. */
export function parseRunbook(content: string, file: string): ParseResult {
  const lineCounter = new (yaml().LineCounter)();
  const doc = yaml().parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return {};
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        ...at(e.pos[0]),
        field: "",
        message: `YAML: ${firstLine(e.message)}`,
      })),
    };
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return {
      ok: false,
      problems: [{ file, line: 1, col: 1, field: "", message: "expected a mapping with name and steps" }],
    };
  }
  const locate = (path: PathSegment[], key = false) => at(offsetOf(doc.contents, path, key));
  const parsed = runbookSchema().safeParse(data, PARSE_ONCE);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => describeIssue(issue, data));
    return {
      ok: false,
      problems: problems.map((p) => ({
        file,
        ...locate(p.path, p.key),
        field: formatPath(p.path),
        message: p.message,
      })),
    };
  }
  const semantic = validateRunbook(parsed.data);
  if (semantic.length > 0) {
    return {
      ok: false,
      problems: semantic.map((p) => ({
        file,
        ...locate(p.path),
        field: formatPath(p.path),
        message: p.message,
      })),
    };
  }
  return {
    ok: true,
    version: { name: parsed.data.name, hash: contentHash(content), file, content, runbook: parsed.data },
  };
}

function firstLine(s: string): string {
  return s.split("\n")[0] ?? s;
}

interface Described {
  path: PathSegment[];
  message: string;
  /** Point at the key rather than the value (unknown fields). */
  key?: boolean;
}

function valueAt(data: unknown, path: PathSegment[]): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): Described[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  switch (issue.code) {
    case "invalid_type": {
      const got = valueAt(data, path);
      if (got === undefined)
        return [{ path, message: `required field is missing (expected ${issue.expected})` }];
      const kind = got === null ? "nothing" : Array.isArray(got) ? "a list" : typeof got;
      return [{ path, message: `expected ${issue.expected}, got ${kind}` }];
    }
    case "unrecognized_keys":
      return issue.keys.map((k) => ({ path: [...path, k], message: `unknown field "${k}"`, key: true }));
    case "invalid_value":
      return [{ path, message: `expected one of: ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` }];
    case "invalid_key":
      return [{ path, key: true, message: `invalid name: ${issue.issues.map((i) => i.message).join("; ")}` }];
    case "invalid_union":
      return [
        { path, message: issue.message === "Invalid input" ? "value has the wrong shape" : issue.message },
      ];
    default:
      return [{ path, message: issue.message }];
  }
}

/** Source offset of the node at `path`, or of the deepest existing ancestor when it is missing. */
function offsetOf(root: Node | null, path: PathSegment[], preferKey: boolean): number | undefined {
  let node: Node | null = root;
  let best = root?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (yaml().isMap(node)) {
      const pair = node.items.find((p) => (yaml().isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) return best;
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      if (last && preferKey && keyNode?.range) return keyNode.range[0];
      if (!valueNode?.range) return keyNode?.range?.[0] ?? best;
      node = valueNode;
      best = valueNode.range[0];
    } else if (yaml().isSeq(node) && typeof seg === "number") {
      const item = node.items[seg] as Node | undefined;
      if (!item?.range) return best;
      node = item;
      best = item.range[0];
    } else {
      return best;
    }
  }
  return best;
}
