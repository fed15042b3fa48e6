import { createRequire } from "node:module";

type JsYaml = typeof import("js-yaml");

let loaded: { lib: JsYaml; schema: import("js-yaml").Schema } | undefined;
let preloaded: JsYaml | undefined;

/**
 * Loads js-yaml ahead of a parse, as an import: in the `opsbot` bundle that is one chunk rather than
 * its CommonJS files found one by one. `opsbot ask` calls it when there is a config file to read.
 */
export async function preloadPlainYaml(): Promise<void> {
  if (loaded || preloaded) return;
  const module = (await import("js-yaml")) as JsYaml & { default?: JsYaml };
  preloaded ??= module.default ?? module;
}

/**
 * The yaml library's YAML 1.2 core schema (the one `parseDocument` resolves plain scalars with),
 * rebuilt as js-yaml types from the same tests, so both libraries read a plain scalar alike:
 * `1` and `0x1f` numbers, `true`/`True`/`TRUE` booleans, `~`/`null` null, everything else a string.
 */
function jsYaml(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const lib = preloaded ?? (createRequire(import.meta.url)("js-yaml") as JsYaml);
  const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown) =>
    new lib.Type(`tag:yaml.org,2002:${tag}`, { kind: "scalar", resolve: (s) => test.test(s), construct });
  const schema = lib.FAILSAFE_SCHEMA.extend({
    implicit: [
      scalar("null", /^(?:~|[Nn]ull|NULL)?$/, () => null),
      scalar("bool", /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === "t" || s[0] === "T"),
      scalar("int", /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, (s) =>
        s.startsWith("0o")
          ? parseInt(s.slice(2), 8)
          : s.startsWith("0x")
            ? parseInt(s.slice(2), 16)
            : parseInt(s, 10),
      ),
      scalar(
        "float",
        /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/,
        (s) =>
          /nan$/i.test(s)
            ? Number.NaN
            : /inf$/i.test(s)
              ? s[0] === "-"
                ? Number.NEGATIVE_INFINITY
                : Number.POSITIVE_INFINITY
              : parseFloat(s),
      ),
    ],
  });
  loaded = { lib, schema };
  return loaded;
}

/** What js-yaml's listener sees of its state (not in its type declarations). */
interface ListenerState {
  anchorMap: Record<string, unknown>;
  kind: "scalar" | "sequence" | "mapping" | null;
  position: number;
}

/**
 * Whether a collection that ends at `at` is a mapping key (`[a]: 1`, `{a: 1}: x`, `? [a]` then `: x`
 * on the next line): js-yaml and the yaml library turn such keys into different strings. The next
 * character that is not blank, a line break or a comment is the `:` of a key.
 */
function followedByColon(source: string, at: number): boolean {
  let i = at;
  for (;;) {
    const c = source.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35) {
      const eol = source.indexOf("\n", i);
      if (eol < 0) return false;
      i = eol + 1;
    } else return c === 58 && (i + 1 >= source.length || /[\s,\]}]/.test(source[i + 1]!));
  }
}

/**
 * Whether a mapping has the key "null": js-yaml writes a null key (`~:`, `null:`, an empty key) as
 * "null", the yaml library as "" — and a quoted "null" is indistinguishable here.
 */
function hasNullKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullKey);
  if (value === null || typeof value !== "object") return false;
  for (const k in value) if (k === "null" || hasNullKey((value as Record<string, unknown>)[k])) return true;
  return false;
}

/**
 * A YAML document as plain values, read without building the yaml library's token tree and
 * Document: for a config listing tens of thousands of devices those cost ≈ 90 × the source in
 * memory (a 5.6 MB file: ≈ 480 MB high-water), this reader ≈ 10 × (no positions kept).
 *
 * Undefined whenever this reader is not sure to agree with `parseDocument(...).toJS()`: anything it
 * refuses (syntax, duplicate keys, unknown tags), a `%` directive (`%YAML 1.1` switches the schema),
 * anchors (the yaml library bounds alias expansion), collection, explicit or null keys. The caller then takes the yaml library's
 * path, which also says where each problem is.
 */
export function readPlainYaml(source: string): unknown {
  if (/^%/m.test(source)) return undefined;
  const { lib, schema } = jsYaml();
  let anchors: Record<string, unknown> | undefined;
  let collectionKey = false;
  try {
    const value = lib.load(source, {
      schema,
      listener(event, state) {
        const s = state as unknown as ListenerState;
        anchors ??= s.anchorMap;
        if (event === "close" && s.kind !== "scalar" && s.kind !== null && !collectionKey)
          collectionKey = followedByColon(source, s.position);
      },
    });
    if (collectionKey) return undefined;
    if (anchors !== undefined && Object.keys(anchors).length > 0) return undefined;
    if (hasNullKey(value)) return undefined;
    // An empty document: the yaml library's toJS() gives null too.
    return value ?? null;
  } catch {
    return undefined;
  }
}
