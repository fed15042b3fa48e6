import { shellQuote } from "../lib/shell.js";

/**
 * `{{ params.x }}`, `{{ target.name }}`, `{{ target.host }}`, `{{ run.id }}` — the only template syntax.
 * There are no filters and no raw mode: in a shell command every placeholder becomes exactly one
 * POSIX-single-quoted word, so a parameter can never splice shell syntax into a command.
 */
export type TemplateRef =
  | { kind: "param"; name: string }
  | { kind: "target"; field: "name" | "host" }
  | { kind: "run"; field: "id" };

export type Segment = { text: string } | { ref: TemplateRef; source: string; offset: number };

export interface TemplateVars {
  params: Readonly<Record<string, string | undefined>>;
  target?: { name: string; host: string };
  runId?: number;
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;
const EXPRESSION = /^(?:params\.([a-z_][a-z0-9_]*)|target\.(name|host)|run\.(id))$/;

export interface ParsedTemplate {
  segments: Segment[];
  errors: string[];
}

export function parseTemplate(input: string): ParsedTemplate {
  const segments: Segment[] = [];
  const errors: string[] = [];
  let last = 0;
  for (const m of input.matchAll(PLACEHOLDER)) {
    const offset = m.index ?? 0;
    if (offset > last) segments.push({ text: input.slice(last, offset) });
    const expr = (m[1] ?? "").trim();
    const e = EXPRESSION.exec(expr);
    if (!e) {
      errors.push(
        `unknown placeholder {{ ${expr} }} (expected params.<name>, target.name, target.host or run.id)`,
      );
    } else if (e[1] !== undefined) {
      segments.push({ ref: { kind: "param", name: e[1] }, source: m[0], offset });
    } else if (e[2] !== undefined) {
      segments.push({ ref: { kind: "target", field: e[2] as "name" | "host" }, source: m[0], offset });
    } else {
      segments.push({ ref: { kind: "run", field: "id" }, source: m[0], offset });
    }
    last = offset + m[0].length;
  }
  if (last < input.length) segments.push({ text: input.slice(last) });
  // A lone "{{" or "}}" is almost certainly a typo'd placeholder; refusing it beats running it literally.
  for (const s of segments) {
    if ("text" in s && (s.text.includes("{{") || s.text.includes("}}"))) {
      errors.push(`unbalanced "{{" or "}}" in "${s.text.trim()}"`);
    }
  }
  return { segments, errors };
}

export function templateRefs(input: string): TemplateRef[] {
  return parseTemplate(input).segments.flatMap((s) => ("ref" in s ? [s.ref] : []));
}

/**
 * Placements where a quoted word would not stay one literal word: inside '…' or "…" (the inserted
 * quotes would close the author's), after a backslash or `$` (escaping / ANSI-C quoting the opening
 * quote), or in a here-document (where quotes are literal and `$(…)` expands).
 */
export function shellPlacementErrors(input: string): string[] {
  const { segments } = parseTemplate(input);
  if (!segments.some((s) => "ref" in s)) return [];
  const errors: string[] = [];
  let state: "plain" | "single" | "double" | "ansi" = "plain";
  let prev = "";
  let heredoc = false;
  for (const seg of segments) {
    if ("ref" in seg) {
      const where = seg.source;
      if (state === "single" || state === "ansi" || state === "double") {
        errors.push(`${where} is inside quotes; opsbot quotes it for you, so remove the surrounding quotes`);
      } else if (prev === "\\") {
        errors.push(`${where} follows a backslash, which would escape its opening quote`);
      } else if (prev === "$") {
        errors.push(`${where} follows "$", which would turn its quotes into $'…' escapes`);
      } else if (heredoc) {
        errors.push(`${where} is inside a here-document, where quotes do not protect it`);
      }
      prev = "'";
      continue;
    }
    const t = seg.text;
    for (let i = 0; i < t.length; i++) {
      const c = t[i]!;
      if (state === "plain") {
        if (c === "\\") {
          // The escaped character is literal; remember the backslash only if it ends the segment.
          if (i + 1 < t.length) {
            i++;
            prev = "";
            continue;
          }
        } else if (c === "'") state = prev === "$" ? "ansi" : "single";
        else if (c === '"') state = "double";
        else if (c === "<" && t[i + 1] === "<" && t[i + 2] !== "<" && t[i - 1] !== "<") heredoc = true;
      } else if (state === "single") {
        if (c === "'") state = "plain";
      } else if (state === "ansi") {
        if (c === "\\") i++;
        else if (c === "'") state = "plain";
      } else if (state === "double") {
        if (c === "\\") i++;
        else if (c === '"') state = "plain";
      }
      prev = c;
    }
  }
  if (state !== "plain") errors.push("unterminated quote in command");
  return errors;
}

export class TemplateError extends Error {}

function lookup(ref: TemplateRef, vars: TemplateVars): string {
  switch (ref.kind) {
    case "param": {
      const v = vars.params[ref.name];
      if (v === undefined) throw new TemplateError(`parameter "${ref.name}" has no value`);
      return v;
    }
    case "target":
      if (!vars.target) throw new TemplateError(`{{ target.${ref.field} }} used in a step without a target`);
      return vars.target[ref.field];
    case "run":
      if (vars.runId === undefined) throw new TemplateError("{{ run.id }} is not known yet");
      return String(vars.runId);
  }
}

/** For shell commands: each placeholder becomes one single-quoted word. */
export function renderShell(
  input: string,
  vars: TemplateVars,
  mask?: (ref: TemplateRef) => string | undefined,
): string {
  const { segments, errors } = parseTemplate(input);
  if (errors.length > 0) throw new TemplateError(errors.join("; "));
  return segments
    .map((s) => ("text" in s ? s.text : (mask?.(s.ref) ?? shellQuote(lookup(s.ref, vars)))))
    .join("");
}

/** For device names, lock keys and chat messages: plain substitution (never reaches a shell). */
export function renderText(
  input: string,
  vars: TemplateVars,
  mask?: (ref: TemplateRef) => string | undefined,
): string {
  const { segments, errors } = parseTemplate(input);
  if (errors.length > 0) throw new TemplateError(errors.join("; "));
  return segments.map((s) => ("text" in s ? s.text : (mask?.(s.ref) ?? lookup(s.ref, vars)))).join("");
}
