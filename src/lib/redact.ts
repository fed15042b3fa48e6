import { redactSecretKeys } from "./redact-keys.js";

/**
 * Removes secrets from text before it reaches the store, logs or chat:
 * - known secret values, including the encoded forms a script might print (base64, base64url, shifted
 *   base64, base64 wrapped across lines, hex, URL-encoding), which a plain search misses;
 * - values of secret-looking keys (`"password": …`, `token=…`, `Authorization: …`, private key
 *   blocks), whatever their value (see redact-keys.ts).
 * It never changes a name: occurrences of kept names (devices, runbooks, the ports and people a
 * message is about) are left whole, and a short secret matches only as a whole token, so community
 * `idrac` is redacted in "community idrac" but not in "srv-idrac".
 */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are not redacted: replacing "a" or "1" everywhere would wreck output. */
export const MIN_SECRET_LENGTH = 4;
/** Secrets shorter than this match only on token boundaries in free text. */
export const SHORT_SECRET_LENGTH = 8;

interface Needle {
  /** A regular-expression source for the form. */
  source: string;
  /** Length of the literal form (longest first, so a secret is replaced whole). */
  length: number;
}

// A token runs through letters, digits, `_` and `-`, and through a `.` between two of those
// ("srv-idrac", "idrac.example.com"), so a short secret inside a name is never a token of its own.
const TOKEN_BEFORE = String.raw`(?<![\p{L}\p{N}_-]|[\p{L}\p{N}_-]\.)`;
const TOKEN_AFTER = String.raw`(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}_-])`;

export class Redactor {
  private readonly needles = new Map<string, Needle>();
  private readonly kept = new Set<string>();
  private pattern: RegExp | undefined;
  private keepPattern: RegExp | undefined;

  constructor(secrets: Iterable<string> = [], keep: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
    this.keep(keep);
  }

  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    for (const n of secretNeedles(secret)) this.needles.set(n.source, n);
    this.pattern = undefined;
  }

  /** Names that redaction must never change (device, runbook, port, user names). */
  keep(names: Iterable<string>): void {
    for (const n of names) if (n.length > 0) this.kept.add(n);
    this.keepPattern = undefined;
  }

  get size(): number {
    return this.needles.size;
  }

  /** Redacts `input`; `keep` adds names this text is about (the device and port of an alert…). */
  redact(input: string, keep: Iterable<string> = []): string {
    if (input.length === 0) return input;
    const keyed = redactSecretKeys(input);
    if (this.needles.size === 0) return keyed;
    this.pattern ??= new RegExp(
      [...this.needles.values()]
        .sort((a, b) => b.length - a.length)
        .map((n) => n.source)
        .join("|"),
      "gu",
    );
    const spans = keptSpans(keyed, this.keepRegExp(keep));
    return keyed.replace(this.pattern, (match, ...rest) => {
      const offset = rest[rest.length - 2] as number;
      const end = offset + match.length;
      return spans.some(([s, e]) => offset < e && end > s) ? match : REDACTED;
    });
  }

  /** A new redactor with the extra secrets (a run's secret parameters) and kept names added. */
  with(secrets: Iterable<string>, keep: Iterable<string> = []): Redactor {
    const copy = new Redactor([], [...this.kept, ...keep]);
    for (const [k, n] of this.needles) copy.needles.set(k, n);
    for (const s of secrets) copy.add(s);
    return copy;
  }

  private keepRegExp(extra: Iterable<string>): RegExp | undefined {
    const more = [...extra].filter((n) => n.length > 0 && !this.kept.has(n));
    if (more.length === 0) {
      this.keepPattern ??= namesRegExp([...this.kept]);
      return this.keepPattern;
    }
    return namesRegExp([...this.kept, ...more]);
  }
}

function namesRegExp(names: string[]): RegExp | undefined {
  if (names.length === 0) return undefined;
  return new RegExp(
    names
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join("|"),
    "g",
  );
}

function keptSpans(text: string, re: RegExp | undefined): [number, number][] {
  if (!re) return [];
  return [...text.matchAll(re)].map((m) => [m.index, m.index + m[0].length]);
}

/** Every form of one secret we search for, as regular-expression sources. */
function secretNeedles(secret: string): Needle[] {
  const short = secret.length < SHORT_SECRET_LENGTH;
  const bytes = Buffer.from(secret, "utf8");
  const out: Needle[] = [];
  const literal = (form: string, bounded: boolean) => {
    if (form.length < MIN_SECRET_LENGTH) return;
    const body = escapeRegExp(form);
    out.push({ source: bounded ? `${TOKEN_BEFORE}${body}${TOKEN_AFTER}` : body, length: form.length });
  };
  // Printed as-is, URL-encoded, or as hex: a short one only as a whole token.
  literal(secret, short);
  literal(encodeURIComponent(secret), short);
  literal(encodeURIComponent(secret).replace(/%20/g, "+"), short);
  // Encoded forms may be wrapped across lines (`base64` wraps at 76 columns, `xxd -p` at 60).
  const wrapped = (form: string, bounded = false) => {
    if (form.length < MIN_SECRET_LENGTH) return;
    const body = [...form].map(escapeRegExp).join(String.raw`(?:\r?\n)?`);
    out.push({ source: bounded ? `${TOKEN_BEFORE}${body}${TOKEN_AFTER}` : body, length: form.length });
  };
  const hex = bytes.toString("hex");
  wrapped(hex, short);
  wrapped(hex.toUpperCase(), short);
  const b64 = bytes.toString("base64");
  wrapped(b64);
  wrapped(b64.replace(/=+$/, ""));
  wrapped(bytes.toString("base64url"));
  // A secret embedded mid-stream in base64 shifts by its byte offset mod 3; catch all three alignments
  // by their stable inner part.
  for (const pad of ["x", "xx"]) {
    const shifted = Buffer.from(pad + secret, "utf8").toString("base64");
    const inner = shifted.slice(4, shifted.length - 4);
    if (inner.length >= 8) wrapped(inner);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
