import { timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2, { type Connection, type ParsedKey } from "ssh2";
import { generateEd25519Pair } from "./keys.js";

// ssh2 is CommonJS: Node's ESM loader exposes only its default export.
const { Server, utils } = ssh2;

import type { Logger } from "../lib/logger.js";
import { healthyServerProfile, type SimHostProfile } from "./ssh-host-profiles.js";
import { runSimCommand } from "./ssh-host-shell.js";

/**
 * A simulated SSH host for the demo, on ssh2's own Server (pure JS: no openssh-server needed). It has
 * its own generated host key — so the demo pins keys exactly as production does — accepts one client
 * key, and answers commands from a profile (ssh-host-shell.ts). Tests use the real sshd instead.
 */
export interface SimSshHost {
  host: string;
  port: number;
  /** "ssh-ed25519 AAAA…" to pin in the config. */
  hostKeyLine: string;
  /** Private key file the client authenticates with (unencrypted, in a temp dir removed on stop). */
  clientKeyPath: string;
  /** Live profile: change it and the next command sees the change (e.g. fail a disk in the demo). */
  profile: SimHostProfile;
  stop(): Promise<void>;
}

export interface SimSshHostOptions {
  profile?: SimHostProfile;
  /** Default 0: any free port. */
  port?: number;
  /** Share one client key between several hosts; default: a new key per host. */
  clientKey?: { privateKeyPath: string; publicKey: string };
  logger?: Logger;
}

export async function startSimSshHost(options: SimSshHostOptions = {}): Promise<SimSshHost> {
  const profile = options.profile ?? healthyServerProfile();
  const dir = mkdtempSync(join(tmpdir(), "opsbot-simssh-"));
  const hostKey = generateEd25519Pair();
  let clientKey = options.clientKey;
  if (!clientKey) {
    const pair = generateEd25519Pair();
    const privateKeyPath = join(dir, "client_ed25519");
    writeFileSync(privateKeyPath, pair.private, { mode: 0o600 });
    clientKey = { privateKeyPath, publicKey: pair.public };
  }
  const allowed = utils.parseKey(clientKey.publicKey);
  if (allowed instanceof Error) throw new Error(`simulated SSH host: bad client key: ${allowed.message}`);
  const allowedKey = Array.isArray(allowed) ? (allowed[0] as ParsedKey) : allowed;
  const allowedBlob = allowedKey.getPublicSSH();

  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [hostKey.private] }, (client) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", (err) => options.logger?.debug({ err: err.message }, "simulated ssh client error"));
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey") return ctx.reject(["publickey"]);
      const same =
        ctx.key.algo === allowedKey.type &&
        ctx.key.data.length === allowedBlob.length &&
        timingSafeEqual(ctx.key.data, allowedBlob);
      if (!same) return ctx.reject(["publickey"]);
      // Without a signature the client only asks whether the key would do; with one, check it.
      if (ctx.signature && ctx.blob && allowedKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
        return ctx.reject(["publickey"]);
      }
      ctx.accept();
    });
    client.on("ready", () => {
      client.on("session", (acceptSession) => {
        const session = acceptSession();
        session.on("exec", (accept, _reject, info) => {
          const stream = accept();
          const abort = new AbortController();
          stream.on("close", () => abort.abort());
          session.on("signal", () => abort.abort());
          runSimCommand(info.command, profile, abort.signal).then(
            (r) => {
              if (abort.signal.aborted) return;
              if (r.stdout) stream.write(r.stdout);
              if (r.stderr) stream.stderr.write(r.stderr);
              stream.exit(r.exitCode);
              stream.end();
            },
            () => {
              if (abort.signal.aborted) return;
              stream.exit(1);
              stream.end();
            },
          );
        });
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const [type, b64] = hostKey.public.split(" ");

  return {
    host: "127.0.0.1",
    port,
    hostKeyLine: `${type} ${b64}`,
    clientKeyPath: clientKey.privateKeyPath,
    profile,
    async stop() {
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
