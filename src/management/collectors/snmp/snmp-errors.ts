/**
 * Why an SNMP request failed, in the terms an operator acts on:
 * - `timeout`: nothing answered (down, filtered, wrong community — v2c agents stay silent);
 * - `unreachable`: the local stack refused to send (no route, DNS name does not resolve);
 * - `auth`: an SNMPv3 agent answered with a USM report (wrong user, key or security level);
 * - `agent`: the agent answered with an error status (tooBig, noAccess, genErr…);
 * - `invalid`: the answer could not be used (malformed, out of order, looping).
 */
export type SnmpFailureKind = "timeout" | "unreachable" | "auth" | "agent" | "invalid";

export class SnmpRequestError extends Error {
  readonly kind: SnmpFailureKind;
  /** SNMP error-status for `agent` failures (1 = tooBig…). */
  readonly status: number | undefined;

  constructor(kind: SnmpFailureKind, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SnmpRequestError";
    this.kind = kind;
    this.status = options.status;
  }

  /** True when the agent never answered: the only case that makes a device unreachable. */
  get noAnswer(): boolean {
    return this.kind === "timeout" || this.kind === "unreachable";
  }
}
