import ssh2 from "ssh2";

const { Client } = ssh2;

import { OpsbotError } from "../errors.js";
import { blobKeyType, fingerprint, keyLine } from "./host-keys.js";

export interface ScannedKey {
  /** "ssh-ed25519 AAAA…", ready for `host_key:` in the config. */
  line: string;
  fingerprint: string;
  type: string;
}

/** Host key types to ask for, strongest first; each is a separate key exchange. */
export const SCAN_TYPES = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512"] as const;

/**
 * Fetches a server's host key(s) the way ssh-keyscan does: a key exchange per key type, refused in the
 * host verifier so no authentication ever happens. The caller must confirm the fingerprint out of
 * band before pinning — this only saves copying the key by hand.
 */
export async function scanHostKeys(
  host: string,
  port: number,
  timeoutMs = 10_000,
  types: readonly string[] = SCAN_TYPES,
): Promise<ScannedKey[]> {
  const found: ScannedKey[] = [];
  const errors: string[] = [];
  for (const type of types) {
    try {
      const key = await scanOne(host, port, type, timeoutMs);
      if (!found.some((k) => k.line === key.line)) found.push(key);
    } catch (err) {
      errors.push(`${type}: ${(err as Error).message}`);
    }
  }
  if (found.length === 0) {
    throw new OpsbotError("UNAVAILABLE", `Could not read a host key from ${host} port ${port}.`, {
      details: errors,
    });
  }
  return found;
}

function scanOne(host: string, port: number, type: string, timeoutMs: number): Promise<ScannedKey> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let key: ScannedKey | undefined;
    const done = () => {
      client.end();
      if (key) resolve(key);
      else reject(new Error(lastError ?? "no key offered"));
    };
    let lastError: string | undefined;
    client.on("error", (err) => {
      lastError = err.message;
    });
    client.once("close", done);
    client.connect({
      host,
      port,
      username: "opsbot-keyscan",
      readyTimeout: timeoutMs,
      algorithms: { serverHostKey: [type] as never },
      hostVerifier: (blob: Buffer) => {
        const blobType = blobKeyType(blob) ?? type;
        key = { line: keyLine({ type: blobType, blob }), fingerprint: fingerprint(blob), type: blobType };
        return false; // never authenticate
      },
    });
  });
}
