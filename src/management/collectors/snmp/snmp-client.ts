import snmp from "net-snmp";
import type { DeviceConfig, SnmpConfig } from "../../../config/schema.js";
import type { Logger } from "../../../lib/logger.js";
import type { AgentLimiter } from "./agent-limiter.js";
import { type BulkReply, varbindLists, varbindReply } from "./bulk-reply.js";
import { classifySnmpError, type RequestContext } from "./classify-snmp-error.js";
import { SnmpRequestError } from "./snmp-errors.js";
import { V2cSession } from "./v2c-session.js";

/**
 * One device's SNMP session for the length of one collection, as promises. Every request goes
 * through the per-agent limiter; every failure is an SnmpRequestError naming the agent.
 */
export interface SnmpClient {
  /** "host:port" */
  readonly agent: string;
  readonly maxRepetitions: number;
  get(oids: string[]): Promise<snmp.Varbind[]>;
  getNext(oids: string[]): Promise<snmp.Varbind[]>;
  /** GetBulk with no non-repeaters: one varbind list per requested OID (shorter when truncated). */
  getBulk(oids: string[], maxRepetitions: number): Promise<snmp.Varbind[][]>;
  /**
   * The same GetBulk as a BulkReply, which walkColumns reads without varbind objects where the
   * transport can (SNMPv2c). Optional: a client without it is walked through getBulk.
   */
  getBulkReply?(oids: string[], maxRepetitions: number): Promise<BulkReply>;
  /**
   * Ends the session: requests in flight and any later ones fail with `reason` (a poll past its
   * deadline, a collector shutting down). Idempotent.
   */
  close(reason?: string): void;
}

export interface SnmpClientDeps {
  limiter: AgentLimiter;
  logger: Logger;
  /** Where sessions get their socket (a SharedUdp's); default a socket of their own. */
  dgramModule?: snmp.SessionOptions["dgramModule"];
}

const AUTH_PROTOCOLS: Record<string, number> = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384,
  sha512: snmp.AuthProtocols.sha512,
};

const PRIV_PROTOCOLS: Record<string, number> = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
};

/** Opens a session for `device` (which must have an `snmp` section). */
export function openSnmpClient(device: DeviceConfig, deps: SnmpClientDeps): SnmpClient {
  const config = device.snmp;
  if (!config)
    throw new SnmpRequestError("invalid", `device ${device.name} has no snmp section in the config`);
  const agent = `${device.host}:${config.port}`;
  const ctx: RequestContext = { agent, timeoutMs: config.timeout_ms, retries: config.retries };
  const log = deps.logger.child({ device: device.name, agent });
  let malformed = 0;
  const ignored = (err: unknown, what: string): void => {
    malformed++;
    if (malformed === 1) log.warn({ err: errorText(err) }, what);
  };
  const session: Transport =
    config.version === "2c"
      ? new V2cSession({
          host: device.host,
          port: config.port,
          community: config.community ?? "",
          ctx,
          ...(deps.dgramModule ? { dgramModule: deps.dgramModule } : {}),
          onIgnored: (reason) => ignored(reason, "ignored an SNMP packet that is not an answer"),
        })
      : netSnmpSession(device.host, config, deps.dgramModule, ignored);

  let closedReason: string | undefined;
  const fail = (error: unknown): SnmpRequestError =>
    closedReason !== undefined
      ? new SnmpRequestError("timeout", closedReason)
      : classifySnmpError(error, ctx);
  const request = <T>(send: (done: (error: Error | null, result: T) => void) => void): Promise<T> =>
    deps.limiter.run(
      agent,
      () =>
        new Promise<T>((resolve, reject) => {
          if (closedReason !== undefined) {
            reject(new SnmpRequestError("timeout", closedReason));
            return;
          }
          try {
            send((error, result) => (error ? reject(fail(error)) : resolve(result)));
          } catch (err) {
            reject(fail(err));
          }
        }),
    );

  return {
    agent,
    maxRepetitions: config.max_repetitions,
    get: (oids) => request((done) => session.get(oids, done)),
    getNext: (oids) => request((done) => session.getNext(oids, done)),
    getBulk: (oids, maxRepetitions) =>
      request<BulkReply>((done) => session.getBulk(oids, maxRepetitions, done)).then(varbindLists),
    getBulkReply: (oids, maxRepetitions) =>
      request<BulkReply>((done) => session.getBulk(oids, maxRepetitions, done)),
    close: (reason = "the SNMP session was closed") => {
      if (closedReason !== undefined) return;
      closedReason = reason;
      if (malformed > 1) log.warn({ count: malformed }, "ignored malformed SNMP packets during this poll");
      try {
        session.close();
      } catch {
        // The socket already failed: nothing left to release.
      }
    },
  };
}

/** Requests of one session, by callback: V2cSession's, or net-snmp's (SNMPv3) below. */
interface Transport {
  get(oids: string[], done: (error: Error | null, varbinds: snmp.Varbind[]) => void): void;
  getNext(oids: string[], done: (error: Error | null, varbinds: snmp.Varbind[]) => void): void;
  getBulk(
    oids: string[],
    maxRepetitions: number,
    done: (error: Error | null, reply: BulkReply) => void,
  ): void;
  close(): void;
}

/** An SNMPv3 session of net-snmp's, hardened against hostile packets. SNMPv2c goes through V2cSession. */
function netSnmpSession(
  host: string,
  config: SnmpConfig,
  dgramModule: SnmpClientDeps["dgramModule"],
  ignored: (err: unknown, what: string) => void,
): Transport {
  const session = createSession(host, config, dgramModule);
  // net-snmp emits "error" on the session for a packet it cannot parse; with no listener that
  // would throw out of the socket's message handler and take the process down.
  session.on("error", (err: unknown) => ignored(err, "ignored a malformed SNMP packet"));
  // Parsing is not the only thing that can throw on a hostile packet (a v1/v2c message arriving on
  // a v3 session, a response shaped unlike its request); nothing a peer sends may escape the handler.
  session.dgram.removeAllListeners("message");
  session.dgram.on("message", (buffer: Buffer) => {
    try {
      session.onMsg(buffer);
    } catch (err) {
      ignored(err, "ignored an SNMP packet that failed processing");
    }
  });
  return {
    get: (oids, done) => session.get(oids, done),
    getNext: (oids, done) => session.getNext(oids, done),
    getBulk: (oids, maxRepetitions, done) =>
      session.getBulk(oids, 0, maxRepetitions, (error, varbinds) =>
        done(error, varbindReply((varbinds ?? []) as snmp.Varbind[][])),
      ),
    close: () => session.close(),
  };
}

function createSession(
  host: string,
  config: SnmpConfig,
  dgramModule: SnmpClientDeps["dgramModule"],
): snmp.Session {
  const options: snmp.SessionOptions = {
    port: config.port,
    retries: config.retries,
    timeout: config.timeout_ms,
    transport: host.includes(":") ? "udp6" : "udp4",
    ...(dgramModule ? { dgramModule } : {}),
  };
  const v3 = config.v3;
  if (!v3) throw new SnmpRequestError("invalid", "snmp version 3 needs a v3 section");
  const user: snmp.User = { name: v3.user, level: snmp.SecurityLevel[v3.level] };
  if (v3.level !== "noAuthNoPriv") {
    user.authProtocol = AUTH_PROTOCOLS[v3.auth_protocol];
    user.authKey = v3.auth_key;
  }
  if (v3.level === "authPriv") {
    user.privProtocol = PRIV_PROTOCOLS[v3.priv_protocol];
    user.privKey = v3.priv_key;
  }
  return snmp.createV3Session(host, user, { ...options, version: snmp.Version3 });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
