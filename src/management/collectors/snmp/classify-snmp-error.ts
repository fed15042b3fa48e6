import snmp from "net-snmp";
import { SnmpRequestError } from "./snmp-errors.js";

const ERROR_STATUS_NAMES: Record<number, string> = {
  1: "tooBig",
  2: "noSuchName",
  3: "badValue",
  4: "readOnly",
  5: "genErr",
  6: "noAccess",
  7: "wrongType",
  8: "wrongLength",
  9: "wrongEncoding",
  10: "wrongValue",
  11: "noCreation",
  12: "inconsistentValue",
  13: "resourceUnavailable",
  14: "commitFailed",
  15: "undoFailed",
  16: "authorizationError",
  17: "notWritable",
  18: "inconsistentName",
};

const AUTH_FAILURE_CODE = 5; // ResponseInvalidCode.EAuthFailure
const DECRYPT_FAILURE_CODE = 4; // ResponseInvalidCode.ECouldNotDecrypt

export interface RequestContext {
  /** "host:port", named in every message. */
  agent: string;
  timeoutMs: number;
  retries: number;
}

/** Nothing answered within the timeout, after every retry. */
export function timedOut(ctx: RequestContext, cause?: unknown): SnmpRequestError {
  const attempts = ctx.retries + 1;
  return new SnmpRequestError(
    "timeout",
    `no response from ${ctx.agent} within ${ctx.timeoutMs} ms (${attempts} attempt${attempts === 1 ? "" : "s"})`,
    { cause },
  );
}

/** The agent answered with an error-status (1 = tooBig…). */
export function agentError(ctx: RequestContext, status: number, cause?: unknown): SnmpRequestError {
  const name = ERROR_STATUS_NAMES[status] ?? `error-status ${status}`;
  return new SnmpRequestError("agent", `${ctx.agent} answered ${name}`, { status, cause });
}

/** An answer that cannot be used. */
export function unusableResponse(ctx: RequestContext, message: string, cause?: unknown): SnmpRequestError {
  return new SnmpRequestError("invalid", `unusable response from ${ctx.agent}: ${message}`, { cause });
}

/** Classifies whatever net-snmp (or the socket) reported into one SnmpRequestError. */
export function classifySnmpError(err: unknown, ctx: RequestContext): SnmpRequestError {
  if (err instanceof SnmpRequestError) return err;
  if (err instanceof snmp.RequestTimedOutError) return timedOut(ctx, err);
  if (err instanceof snmp.RequestFailedError) return agentError(ctx, err.status, err);
  if (err instanceof snmp.ResponseInvalidError) {
    if (err.code === AUTH_FAILURE_CODE || err.code === DECRYPT_FAILURE_CODE) {
      return new SnmpRequestError("auth", `SNMPv3 authentication with ${ctx.agent} failed: ${err.message}`, {
        cause: err,
      });
    }
    return unusableResponse(ctx, err.message, err);
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === "string") {
    return new SnmpRequestError("unreachable", `cannot send to ${ctx.agent}: ${message}`, { cause: err });
  }
  return new SnmpRequestError("invalid", `SNMP request to ${ctx.agent} failed: ${message}`, { cause: err });
}
