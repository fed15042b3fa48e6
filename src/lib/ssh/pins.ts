import { readFile } from "node:fs/promises";
import {
  blobKeyType,
  fingerprint,
  keyLine,
  keysForHost,
  type PublicKey,
  parseKeyLine,
  parseKnownHosts,
  sameKey,
} from "./host-keys.js";
import type { SshTarget } from "./types.js";

/**
 * What a target accepts as its host key. Resolving never throws: an unusable pin source becomes a pin
 * set that rejects every key, so the connection still fails closed in the key exchange — and the
 * operator still learns the offered key's fingerprint.
 */
export type PinSet =
  | { state: "pinned"; source: string; keys: PublicKey[]; revoked: PublicKey[] }
  | { state: "unusable"; source: string; reason: string };

export async function resolvePins(target: SshTarget): Promise<PinSet> {
  if (target.hostKey !== undefined) {
    const source = "ssh.host_key";
    try {
      return { state: "pinned", source, keys: [parseKeyLine(target.hostKey)], revoked: [] };
    } catch (err) {
      return { state: "unusable", source, reason: `${source} is not a key line: ${(err as Error).message}` };
    }
  }
  if (target.knownHosts !== undefined) {
    const source = `known_hosts file ${target.knownHosts}`;
    let text: string;
    try {
      text = await readFile(target.knownHosts, "utf8");
    } catch (err) {
      return { state: "unusable", source, reason: `cannot read ${source}: ${(err as Error).message}` };
    }
    const { keys, revoked } = keysForHost(parseKnownHosts(text), target.host, target.port);
    if (keys.length === 0) {
      return {
        state: "unusable",
        source,
        reason: `${source} has no key for ${target.host} port ${target.port}`,
      };
    }
    return { state: "pinned", source, keys, revoked };
  }
  return {
    state: "unusable",
    source: "config",
    reason: "no host key is pinned (set ssh.host_key or ssh.known_hosts)",
  };
}

/**
 * Host key algorithms to offer, so that the server presents a key of a pinned type rather than,
 * say, its ECDSA key when only its Ed25519 key is pinned. Undefined = ssh2's defaults.
 */
export function hostKeyAlgorithms(pins: PinSet): string[] | undefined {
  if (pins.state !== "pinned") return undefined;
  const algs: string[] = [];
  for (const key of pins.keys) {
    const names = key.type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [key.type];
    for (const n of names) if (!algs.includes(n)) algs.push(n);
  }
  return algs;
}

export type Verdict = { accepted: true } | { accepted: false; message: string };

/** Pure decision on the key the server offered. The message names the offered fingerprint. */
export function verifyHostKey(target: SshTarget, pins: PinSet, offered: Buffer): Verdict {
  const type = blobKeyType(offered) ?? "unknown-type";
  const fp = fingerprint(offered);
  const who = `${target.name} (${target.host} port ${target.port})`;
  const offeredLine = keyLine({ type, blob: offered });
  const howToPin =
    `If you have verified this is the right host, pin it: host_key: "${offeredLine}" ` +
    `(or run \`opsbot ssh-keyscan ${target.name}\`).`;
  if (pins.state === "unusable") {
    return {
      accepted: false,
      message: `Refused ${who}: ${pins.reason}. The server offered ${type} ${fp}. ${howToPin}`,
    };
  }
  if (pins.revoked.some((k) => sameKey(k.blob, offered))) {
    return {
      accepted: false,
      message: `Refused ${who}: the offered host key ${type} ${fp} is marked @revoked in ${pins.source}.`,
    };
  }
  if (pins.keys.some((k) => sameKey(k.blob, offered))) return { accepted: true };
  const pinned = pins.keys.map((k) => `${k.type} ${fingerprint(k.blob)}`).join(", ");
  return {
    accepted: false,
    message:
      `Refused ${who}: the host key does NOT match ${pins.source}. Offered ${type} ${fp}; pinned ${pinned}. ` +
      "The host may have been reinstalled, or the connection is being intercepted: verify out of band " +
      "before re-pinning.",
  };
}
