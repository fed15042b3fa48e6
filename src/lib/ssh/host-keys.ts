import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * Public host keys as OpenSSH writes them ("ssh-ed25519 AAAA… comment") and known_hosts files,
 * parsed here rather than by ssh2 so that pinning does not depend on what ssh2 can parse.
 */
export interface PublicKey {
  /** Key type from the blob itself, e.g. "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa". */
  type: string;
  /** The SSH wire-format key blob (what the server sends in the key exchange). */
  blob: Buffer;
}

/** `SHA256:…` exactly as `ssh-keygen -lf` prints it (base64 without padding). */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The line to paste into the config: "ssh-ed25519 AAAA…". */
export function keyLine(key: PublicKey): string {
  return `${key.type} ${key.blob.toString("base64")}`;
}

/** The type name inside a wire-format blob (a uint32 length then the name), or undefined if malformed. */
export function blobKeyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return undefined;
  const type = blob.subarray(4, 4 + len).toString("latin1");
  return /^[a-z0-9@.-]+$/i.test(type) ? type : undefined;
}

/** Parses "type base64 [comment]"; throws an Error saying what is wrong. */
export function parseKeyLine(line: string): PublicKey {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2 || !parts[0] || !parts[1]) {
    throw new Error('expected "<type> <base64 key>", e.g. "ssh-ed25519 AAAAC3Nza…"');
  }
  const [type, b64] = parts as [string, string];
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error(`the key after "${type}" is not base64`);
  const blob = Buffer.from(b64, "base64");
  const inner = blobKeyType(blob);
  if (inner === undefined) throw new Error(`the ${type} key data is malformed`);
  if (inner !== type) throw new Error(`the line says ${type} but the key data is ${inner}`);
  return { type, blob };
}

export function sameKey(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface KnownHostsEntry {
  /** 1-based line number, for messages. */
  line: number;
  marker?: "revoked" | "cert-authority";
  /** The host field verbatim: "a,b,[c]:2222", "*.example.com,!bad.example.com" or "|1|salt|hash". */
  hosts: string;
  key: PublicKey;
}

export interface KnownHosts {
  entries: KnownHostsEntry[];
  /** Lines that could not be parsed; they are skipped (OpenSSH does the same) but reported. */
  problems: string[];
}

export function parseKnownHosts(text: string): KnownHosts {
  const entries: KnownHostsEntry[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    let fields = line.split(/\s+/);
    let marker: KnownHostsEntry["marker"];
    if (fields[0]?.startsWith("@")) {
      const m = fields[0].slice(1);
      if (m !== "revoked" && m !== "cert-authority") {
        problems.push(`line ${i + 1}: unknown marker @${m}`);
        return;
      }
      marker = m;
      fields = fields.slice(1);
    }
    const [hosts, type, b64] = fields;
    if (!hosts || !type || !b64) {
      problems.push(`line ${i + 1}: expected "<hosts> <type> <base64 key>"`);
      return;
    }
    try {
      const key = parseKeyLine(`${type} ${b64}`);
      entries.push(marker ? { line: i + 1, marker, hosts, key } : { line: i + 1, hosts, key });
    } catch (err) {
      problems.push(`line ${i + 1}: ${(err as Error).message}`);
    }
  });
  return { entries, problems };
}

/** The name OpenSSH looks up: "host" on port 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** Does this entry's host field name host:port? Handles hashed (|1|), patterns, negation. */
export function entryMatches(entry: KnownHostsEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hosts.startsWith("|1|")) return hashedMatches(entry.hosts, name);
  let matched = false;
  for (const raw of entry.hosts.split(",")) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).toLowerCase();
    if (!globMatches(pattern, name)) continue;
    if (negated) return false; // a negated match vetoes the whole entry, as in OpenSSH
    matched = true;
  }
  return matched;
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split("|");
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
  return sameKey(expected, actual);
}

function globMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(name);
}

/** Keys pinned for host:port, and keys explicitly revoked. Certificate authorities are not supported. */
export function keysForHost(
  known: KnownHosts,
  host: string,
  port: number,
): { keys: PublicKey[]; revoked: PublicKey[] } {
  const keys: PublicKey[] = [];
  const revoked: PublicKey[] = [];
  for (const entry of known.entries) {
    if (entry.marker === "revoked") {
      // Revocations apply whatever host they name.
      revoked.push(entry.key);
      continue;
    }
    if (entry.marker === "cert-authority") continue;
    if (entryMatches(entry, host, port)) keys.push(entry.key);
  }
  return { keys, revoked };
}

/** A hashed known_hosts host field for name, as `ssh-keygen -H` writes it (used by tests and keyscan). */
export function hashKnownHostsName(name: string, salt: Buffer): string {
  const hash = createHmac("sha1", salt).update(name).digest("base64");
  return `|1|${salt.toString("base64")}|${hash}`;
}
