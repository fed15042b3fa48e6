/**
 * Removes known secret values from text before it reaches the store, logs or chat — including the
 * encoded forms a script might print (base64, base64url, URL-encoding), which a plain search misses.
 */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are not redacted: replacing "a" or "1" everywhere would wreck output. */
const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly needles = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    for (const form of encodedForms(secret)) this.needles.add(form);
    this.pattern = undefined;
  }

  get size(): number {
    return this.needles.size;
  }

  redact(input: string): string {
    if (this.needles.size === 0 || input.length === 0) return input;
    if (!this.pattern) {
      // Longest first so a secret is replaced whole before any shorter form inside it.
      const alternatives = [...this.needles].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join("|"), "g");
    }
    return input.replace(this.pattern, REDACTED);
  }

  /** A new redactor with the extra secrets (e.g. a run's secret parameters) added. */
  with(secrets: Iterable<string>): Redactor {
    const copy = new Redactor();
    for (const n of this.needles) copy.needles.add(n);
    for (const s of secrets) copy.add(s);
    return copy;
  }
}

function encodedForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const b64 = Buffer.from(secret, "utf8").toString("base64");
  forms.add(b64);
  forms.add(b64.replace(/=+$/, ""));
  forms.add(Buffer.from(secret, "utf8").toString("base64url"));
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%20/g, "+"));
  // A secret embedded mid-stream in base64 shifts by its byte offset mod 3; catch all three alignments
  // by their stable inner part.
  for (const pad of ["x", "xx"]) {
    const shifted = Buffer.from(pad + secret, "utf8").toString("base64");
    const inner = shifted.slice(4, shifted.length - 4);
    if (inner.length >= 8) forms.add(inner);
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
