import { createHmac } from "node:crypto";

export interface SignedHeaders {
  "x-slack-signature": string;
  "x-slack-request-timestamp": string;
}

/**
 * Signs an HTTP-mode request the way Slack does (v0): HMAC-SHA256 over `v0:<timestamp>:<raw body>`
 * keyed with the app's signing secret.
 */
export function signRequest(secret: string, body: string, timestampSec: number): SignedHeaders {
  const digest = createHmac("sha256", secret).update(`v0:${timestampSec}:${body}`).digest("hex");
  return { "x-slack-signature": `v0=${digest}`, "x-slack-request-timestamp": String(timestampSec) };
}

export interface HttpDelivery {
  body: string;
  contentType: "application/json" | "application/x-www-form-urlencoded";
}

/** The body Slack POSTs for each kind of payload in HTTP mode. */
export function encodeForHttp(
  kind: "slash_commands" | "events_api" | "interactive",
  payload: Record<string, unknown>,
): HttpDelivery {
  if (kind === "events_api") return { body: JSON.stringify(payload), contentType: "application/json" };
  if (kind === "interactive") {
    return {
      body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      contentType: "application/x-www-form-urlencoded",
    };
  }
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(payload)) form.set(k, String(v));
  return { body: form.toString(), contentType: "application/x-www-form-urlencoded" };
}

export interface SendOptions {
  secret: string;
  /** Seconds since the epoch used in the signature; default now. */
  timestampSec?: number;
  /** Extra headers, e.g. x-slack-retry-num. */
  headers?: Record<string, string>;
  /** Replace the computed signature (bad-signature tests). */
  signature?: string;
}

/** POSTs a signed delivery to an HTTP-mode app; resolves with the HTTP status and body. */
export async function sendSigned(
  url: string,
  delivery: HttpDelivery,
  options: SendOptions,
): Promise<{ status: number; body: string; headers: Headers }> {
  const ts = options.timestampSec ?? Math.floor(Date.now() / 1000);
  const signed = signRequest(options.secret, delivery.body, ts);
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": delivery.contentType,
      ...signed,
      ...(options.signature !== undefined ? { "x-slack-signature": options.signature } : {}),
      ...options.headers,
    },
    body: delivery.body,
  });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
