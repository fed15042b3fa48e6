import { createHmac, timingSafeEqual } from "node:crypto";
import type { DeliveryDedup } from "./delivery-dedup.js";

/**
 * Checks an HTTP-mode request before Bolt sees it, closing gaps Bolt leaves open: Bolt accepts
 * timestamps from the future and identical replays within its five-minute window, and an `ssl_check`
 * body can carry other fields. Pure apart from the replay memory passed in.
 */
export type GuardVerdict =
  | { action: "pass" }
  /** Slack's certificate probe: answer 200 and run nothing, whatever else the body carries. */
  | { action: "ssl_check" }
  | { action: "reject"; status: 400 | 401; reason: string };

export interface GuardInput {
  contentType: string | undefined;
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowMs: number;
}

/** Slack's window: a request older (or newer) than this is refused. */
export const MAX_SKEW_SEC = 5 * 60;

export function checkHttpRequest(input: GuardInput, secret: string, replays: DeliveryDedup): GuardVerdict {
  if (secret === "") return { action: "reject", status: 401, reason: "no signing secret configured" };
  if ((input.contentType ?? "").startsWith("application/x-www-form-urlencoded")) {
    if (new URLSearchParams(input.rawBody).get("ssl_check") === "1") return { action: "ssl_check" };
  }
  const ts = input.timestamp ?? "";
  if (!/^\d{1,12}$/.test(ts))
    return { action: "reject", status: 401, reason: "missing or malformed x-slack-request-timestamp" };
  const skew = Number(ts) - Math.floor(input.nowMs / 1000);
  if (skew < -MAX_SKEW_SEC) return { action: "reject", status: 401, reason: "stale request timestamp" };
  if (skew > MAX_SKEW_SEC)
    return { action: "reject", status: 401, reason: "request timestamp in the future" };
  const sig = /^v0=([0-9a-f]{64})$/.exec(input.signature ?? "")?.[1];
  if (!sig) return { action: "reject", status: 401, reason: "missing or malformed x-slack-signature" };
  const expected = createHmac("sha256", secret).update(`v0:${ts}:${input.rawBody}`).digest();
  if (!timingSafeEqual(Buffer.from(sig, "hex"), expected))
    return { action: "reject", status: 401, reason: "signature mismatch" };
  // Only now, once it is known to be Slack's, may the request enter the replay memory.
  if (replays.checkAndRecord(`sig:${sig}`))
    return { action: "reject", status: 401, reason: "replayed request" };
  return { action: "pass" };
}
