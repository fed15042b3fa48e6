import { readFile } from "node:fs/promises";
import { Socket } from "node:net";
import ssh2, { type ConnectConfig, type Client as SshClient } from "ssh2";

// ssh2 is CommonJS: Node's ESM loader exposes only its default export.
const { Client } = ssh2;

import { OpsbotError } from "../errors.js";
import type { Logger } from "../logger.js";
import { DEFAULT_KEEPALIVE, watchSilence } from "./keepalive.js";
import { scanHostKeys } from "./keyscan.js";
import { hostKeyAlgorithms, resolvePins, verifyHostKey } from "./pins.js";
import type { SshTarget } from "./types.js";

/**
 * Opens one authenticated ssh2 connection. The host key is checked inside the key exchange
 * (ssh2's hostVerifier), so a refused key ends the connection before any authentication message is
 * sent. Only public-key authentication with the configured key file; no agent, no forwarding, no
 * passwords, no keyboard-interactive.
 */
export async function connectSsh(target: SshTarget, logger: Logger): Promise<SshClient> {
  const pins = await resolvePins(target);
  const privateKey = await readKeyFile(target);
  const client = new Client();
  let rejection: string | undefined;
  const keepalive = target.keepalive ?? DEFAULT_KEEPALIVE;
  // Our own socket, so the liveness watch (keepalive.ts) sees every byte the server sends.
  const sock = new Socket();

  const config: ConnectConfig = {
    sock,
    host: target.host,
    port: target.port,
    username: target.user,
    privateKey,
    readyTimeout: target.connectTimeoutMs,
    // ssh2 sends the pings; watchSilence decides. ssh2's own verdict (one interval later) is a backstop.
    keepaliveInterval: keepalive.intervalMs,
    keepaliveCountMax: keepalive.countMax + 1,
    agentForward: false,
    tryKeyboard: false,
    hostVerifier: (key: Buffer) => {
      const verdict = verifyHostKey(target, pins, key);
      if (verdict.accepted) return true;
      rejection = verdict.message;
      return false;
    },
  };
  if (target.passphrase !== undefined) config.passphrase = target.passphrase;
  const serverHostKey = hostKeyAlgorithms(pins);
  if (serverHostKey) config.algorithms = { serverHostKey: serverHostKey as never };

  return new Promise<SshClient>((resolve, reject) => {
    let settled = false;
    const fail = (err: OpsbotError) => {
      if (settled) return;
      settled = true;
      client.end();
      sock.destroy();
      reject(err);
    };
    // Nagle + delayed ACK would hold every small SSH packet ~40 ms waiting for the peer's ACK; an
    // exchange of short messages (each command) is exactly that case.
    client.once("connect", () => client.setNoDelay(true));
    client.once("ready", () => {
      settled = true;
      watchSilence(sock, keepalive, `${target.name} (${target.host} port ${target.port})`);
      resolve(client);
    });
    client.on("error", (err: Error & { level?: string; code?: string }) => {
      if (!settled && rejection === undefined && /no matching host key/i.test(err.message) && serverHostKey) {
        // The server has no key of a pinned type: its key changed (or was never this one). Look at what
        // it does offer — without authenticating — so the operator gets fingerprints to verify.
        settled = true;
        client.end();
        void noPinnedTypeError(target, serverHostKey, err).then(reject);
        return;
      }
      if (!settled) {
        fail(connectError(target, err, rejection));
        return;
      }
      logger.debug({ device: target.name, err: err.message }, "ssh connection error");
    });
    client.once("close", () => fail(connectError(target, new Error("connection closed"), rejection)));
    try {
      sock.connect({ host: target.host, port: target.port });
      client.connect(config);
    } catch (err) {
      // ssh2 parses the private key synchronously here (wrong passphrase, unsupported format).
      fail(
        new OpsbotError(
          "CONFIG_INVALID",
          `Cannot use the SSH key ${target.keyFile} for ${target.name}: ${(err as Error).message}. ` +
            "Check ssh.key_file and ssh.passphrase_env.",
          { cause: err },
        ),
      );
    }
  });
}

async function readKeyFile(target: SshTarget): Promise<Buffer> {
  if (!target.keyFile) {
    throw new OpsbotError(
      "CONFIG_INVALID",
      `No SSH key for ${target.name}: set ssh.key_file (opsbot authenticates with keys only).`,
    );
  }
  try {
    return await readFile(target.keyFile);
  } catch (err) {
    throw new OpsbotError(
      "CONFIG_INVALID",
      `Cannot read the SSH key ${target.keyFile} for ${target.name}: ${(err as Error).message}.`,
      { cause: err },
    );
  }
}

async function noPinnedTypeError(
  target: SshTarget,
  pinnedTypes: string[],
  cause: Error,
): Promise<OpsbotError> {
  const who = `${target.name} (${target.host} port ${target.port})`;
  let offered = "";
  try {
    const keys = await scanHostKeys(target.host, target.port, target.connectTimeoutMs);
    offered = ` It offers ${keys.map((k) => `${k.type} ${k.fingerprint}`).join(", ")}.`;
  } catch {
    // The fingerprints are a courtesy; the refusal stands without them.
  }
  return new OpsbotError(
    "HOST_KEY_REJECTED",
    `Refused ${who}: the server has no host key of the pinned type (${pinnedTypes.join(", ")}).${offered} ` +
      "The host may have been reinstalled, or the connection is being intercepted: verify out of band before " +
      `re-pinning (\`opsbot ssh-keyscan ${target.name}\`).`,
    { cause },
  );
}

function connectError(target: SshTarget, err: Error & { level?: string; code?: string }, rejection?: string) {
  if (rejection !== undefined) return new OpsbotError("HOST_KEY_REJECTED", rejection, { cause: err });
  const where = `${target.user}@${target.host} port ${target.port} (${target.name})`;
  if (err.level === "client-timeout") {
    return new OpsbotError(
      "TIMEOUT",
      `No SSH handshake with ${where} within ${target.connectTimeoutMs} ms.`,
      {
        cause: err,
      },
    );
  }
  if (err.level === "client-authentication") {
    return new OpsbotError(
      "UNAVAILABLE",
      `SSH authentication failed for ${where}: the server did not accept the key ${target.keyFile}. ` +
        "Add its public key to the user's authorized_keys.",
      { cause: err },
    );
  }
  if (err.code === "ECONNREFUSED" || err.code === "EHOSTUNREACH" || err.code === "ENOTFOUND") {
    return new OpsbotError("UNAVAILABLE", `Cannot reach ${where}: ${err.code}.`, { cause: err });
  }
  return new OpsbotError("UNAVAILABLE", `SSH connection to ${where} failed: ${err.message}.`, { cause: err });
}
