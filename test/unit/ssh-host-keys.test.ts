import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  entryMatches,
  fingerprint,
  keyLine,
  keysForHost,
  parseKeyLine,
  parseKnownHosts,
} from "../../src/lib/ssh/host-keys.js";
import { hostKeyAlgorithms, type PinSet, verifyHostKey } from "../../src/lib/ssh/pins.js";
import type { SshTarget } from "../../src/lib/ssh/types.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/ssh");
// Keys generated with ssh-keygen; fingerprints as `ssh-keygen -lf` printed them.
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHht9x+VVyEARhDNogcDKCsi7PvCkOCYIneJwMTvI4fU";
const ED25519_FP = "SHA256:lHtzzYC2c/KROBXX57GyGbTDtrs0brjr/wAOOqNsuUA";
const ECDSA =
  "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPvqv8Q2DUQxWgd/js7D0Xk3dW+x3KRr7GEk8pQLANcGObi5I1WmR1UlTO7z7mbmBKSxFEy9ic8QOtUaJDdifiI=";
const ECDSA_FP = "SHA256:aaeLrDkcIn4SwQ1dtmYjkCkpiIJAEMI/Nf8dCYbYqmw";
const RSA_FP = "SHA256:/su7FN0V9U9OJ0SpqmhtgF+T83JEws39JkKfpDb+buU";

const known = parseKnownHosts(readFileSync(join(FIXTURES, "known_hosts"), "utf8"));
const fps = (host: string, port: number) => {
  const { keys } = keysForHost(known, host, port);
  return keys.map((k) => fingerprint(k.blob));
};

describe("key lines and fingerprints", () => {
  it("parses a key line and prints the ssh-keygen fingerprint", () => {
    const key = parseKeyLine(`${ED25519} admin@laptop`);
    expect(key.type).toBe("ssh-ed25519");
    expect(fingerprint(key.blob)).toBe(ED25519_FP);
    expect(keyLine(key)).toBe(ED25519);
    expect(fingerprint(parseKeyLine(ECDSA).blob)).toBe(ECDSA_FP);
  });

  it("explains malformed lines", () => {
    expect(() => parseKeyLine("AAAAC3NzaC1lZDI1NTE5")).toThrow(/expected "<type> <base64 key>"/);
    expect(() => parseKeyLine("ssh-ed25519 not*base64")).toThrow(/not base64/);
    expect(() => parseKeyLine(`ssh-rsa ${ED25519.split(" ")[1]}`)).toThrow(
      /says ssh-rsa but the key data is ssh-ed25519/,
    );
    expect(() => parseKeyLine("ssh-ed25519 AAAA")).toThrow(/malformed/);
  });
});

describe("known_hosts", () => {
  it("reports unparseable lines and keeps the rest", () => {
    expect(known.problems).toEqual([
      'line 12: the key after "ssh-ed25519" is not base64',
      'line 13: expected "<hosts> <type> <base64 key>"',
    ]);
    expect(known.entries).toHaveLength(9);
  });

  it("matches hashed entries by name, and by [host]:port off port 22", () => {
    expect(fps("web1.example.com", 22)).toEqual([ED25519_FP]);
    expect(fps("10.0.0.5", 22)).toEqual([ED25519_FP]);
    expect(fps("WEB2.example.com", 2222)).toEqual([ECDSA_FP]);
    expect(fps("web2.example.com", 22)).toEqual([]);
    expect(fps("web1.example.com", 2222)).toEqual([]);
    expect(fps("hashed.example.com", 2200)).toEqual([RSA_FP]);
  });

  it("matches wildcard patterns with negation", () => {
    expect(fps("sw1.lab.example.com", 22)).toEqual([ECDSA_FP]);
    expect(fps("evil.lab.example.com", 22)).toEqual([]);
    expect(fps("db1.example.com", 2022)).toEqual([RSA_FP]);
    expect(fps("db10.example.com", 2022)).toEqual([]);
  });

  it("never treats a @cert-authority line as a host key", () => {
    expect(fps("anything.example.com", 22)).toEqual([]);
  });

  it("hashed entry matching is exact", () => {
    const hashed = known.entries[0]!;
    expect(entryMatches(hashed, "web1.example.com", 22)).toBe(true);
    expect(entryMatches(hashed, "web1.example.co", 22)).toBe(false);
  });
});

describe("host key verdicts", () => {
  const target: SshTarget = {
    name: "web1",
    host: "web1.example.com",
    port: 22,
    user: "ops",
    connectTimeoutMs: 1000,
  };
  const ed = parseKeyLine(ED25519);
  const ec = parseKeyLine(ECDSA);
  const pinned: PinSet = { state: "pinned", source: "ssh.host_key", keys: [ed], revoked: [] };

  it("accepts the pinned key only", () => {
    expect(verifyHostKey(target, pinned, ed.blob)).toEqual({ accepted: true });
    const v = verifyHostKey(target, pinned, ec.blob);
    expect(v.accepted).toBe(false);
    if (!v.accepted) {
      expect(v.message).toContain(`Offered ecdsa-sha2-nistp256 ${ECDSA_FP}`);
      expect(v.message).toContain(`pinned ssh-ed25519 ${ED25519_FP}`);
    }
  });

  it("refuses everything when the pin source is unusable, naming the offered key", () => {
    const v = verifyHostKey(
      target,
      { state: "unusable", source: "config", reason: "no host key is pinned" },
      ed.blob,
    );
    expect(v).toEqual({
      accepted: false,
      message: expect.stringContaining(`host_key: "${ED25519}"`),
    });
  });

  it("refuses a revoked key even when it is also pinned", () => {
    const v = verifyHostKey(target, { ...pinned, revoked: [ed] }, ed.blob);
    expect(v.accepted).toBe(false);
    if (!v.accepted) expect(v.message).toMatch(/@revoked/);
  });

  it("offers only the pinned key types", () => {
    expect(hostKeyAlgorithms(pinned)).toEqual(["ssh-ed25519"]);
    const rsa = { type: "ssh-rsa", blob: Buffer.alloc(0) };
    expect(hostKeyAlgorithms({ ...pinned, keys: [rsa, ec] })).toEqual([
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
      "ecdsa-sha2-nistp256",
    ]);
    expect(hostKeyAlgorithms({ state: "unusable", source: "x", reason: "y" })).toBeUndefined();
  });
});
