import { createHash } from "node:crypto";
import type { Redactor } from "../../lib/redact.js";

/**
 * Turns raw command output into the stored form of a config. Pure. The same config always normalizes
 * to the same text (and hash), so an unchanged device stores nothing; secrets are masked before the
 * text is hashed or stored, so they never reach the database.
 */
export const MASK = "<masked>";

/**
 * Secrets common in network and server configs. A capture group marks the secret part, so the
 * keyword stays readable ("enable secret 9 <masked>"); without one the whole match is masked.
 */
export const BUILTIN_MASKS: readonly string[] = [
  // Cisco-style: enable secret 9 $9$…, username x secret 5 …, password 7 0822…, md5 7 …
  String.raw`(?<![-\w])(?:secret|password|md5) (?:\d+ )?([^\s"]\S*)`,
  String.raw`\bsnmp-server community (\S+)`,
  String.raw`\b(?:tacacs|radius)-server (?:host \S+ )?key (?:\d+ )?(\S+)`,
  String.raw`\bkey-string (?:\d+ )?(\S+)`,
  String.raw`\bpre-shared-key (?:\S+ )?(\S+)`,
  // JunOS: encrypted-password "$6$…"; secret "$9$…"; authentication-key "…"
  String.raw`\b(?:encrypted-password|secret|authentication-key|ascii-text) "([^"]*)"`,
  // PEM private keys anywhere in a file.
  String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----`,
];

export interface NormalizeOptions {
  ignoreLines: RegExp[];
  masks: RegExp[];
  /** Configured secret values (also masked wherever they appear). */
  redactor?: Redactor;
}

export interface NormalizedConfig {
  content: string;
  sha256: string;
  lines: number;
  sizeBytes: number;
}

/** Compiles pattern strings (already validated by the config schema). */
export function compilePatterns(patterns: readonly string[]): RegExp[] {
  return patterns.map((p) => new RegExp(p, "gmd"));
}

export function normalizeConfig(raw: string, options: NormalizeOptions): NormalizedConfig {
  const kept = raw
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((l) => l.replace(/[ \t]+$/, ""))
    .filter((l) => !options.ignoreLines.some((re) => testLine(re, l)));
  while (kept.length > 0 && kept[kept.length - 1] === "") kept.pop();
  let content = kept.length > 0 ? `${kept.join("\n")}\n` : "";
  for (const re of options.masks) content = maskAll(content, re);
  if (options.redactor) content = options.redactor.redact(content);
  return {
    content,
    sha256: createHash("sha256").update(content).digest("hex"),
    lines: kept.length,
    sizeBytes: Buffer.byteLength(content),
  };
}

function testLine(re: RegExp, line: string): boolean {
  re.lastIndex = 0;
  return re.test(line);
}

/** Replaces each match's capture groups (or the whole match when it has none) with MASK. */
export function maskAll(text: string, re: RegExp): string {
  const flags = new Set([...re.flags, "g", "d"]);
  const pattern = flags.size === re.flags.length ? re : new RegExp(re.source, [...flags].join(""));
  let out = "";
  let pos = 0;
  for (const m of text.matchAll(pattern)) {
    if (m[0].length === 0) continue; // a pattern that can match nothing would mask every position
    const start = m.index;
    const end = start + m[0].length;
    const groups = (m.indices ?? []).slice(1).filter((g): g is [number, number] => g !== undefined);
    if (groups.length === 0) {
      out += text.slice(pos, start) + MASK;
    } else {
      let cursor = start;
      out += text.slice(pos, start);
      for (const [gs, ge] of groups.sort((a, b) => a[0] - b[0])) {
        if (gs < cursor) continue; // nested group: already masked by its parent
        out += text.slice(cursor, gs) + MASK;
        cursor = ge;
      }
      out += text.slice(cursor, end);
    }
    pos = end;
  }
  return out + text.slice(pos);
}
