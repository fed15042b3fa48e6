import ssh2 from "ssh2";

const { utils } = ssh2;

/**
 * An ed25519 key pair from ssh2 that ssh2 itself can parse back. ssh2's generator drops a leading
 * zero byte from about 1 in 130 public keys, producing a line its own parser (and OpenSSH) rejects as
 * malformed; generating again is the cheapest fix.
 */
export function generateEd25519Pair(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = utils.generateKeyPairSync("ed25519");
    if (!(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error("could not generate a parseable ed25519 key pair");
}
