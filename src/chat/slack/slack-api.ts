import { webApi } from "@slack/bolt";

const { ErrorCode, WebClient } = webApi;

/**
 * The raw Slack Web API as the outbox sees it: one attempt per call, failures classified so the outbox
 * alone decides about waiting and retrying. Nothing else in opsbot talks to Slack's HTTP API.
 */
export type SlackFailure =
  | { kind: "rate_limited"; retryAfterMs: number }
  | { kind: "transient"; detail: string }
  | { kind: "permanent"; code: string; detail: string };

export class SlackCallError extends Error {
  constructor(
    readonly method: string,
    readonly failure: SlackFailure,
  ) {
    super(
      failure.kind === "rate_limited"
        ? `${method}: rate limited for ${failure.retryAfterMs} ms`
        : `${method}: ${failure.kind === "permanent" ? failure.code : failure.detail}`,
    );
    this.name = "SlackCallError";
  }
}

export type SlackResult = Record<string, unknown>;

export interface SlackApi {
  call(method: string, args: Record<string, unknown>): Promise<SlackResult>;
  /** POSTs to a URL Slack handed out: a file upload URL or a response_url. */
  postToUrl(label: string, url: string, body: string | Uint8Array, contentType: string): Promise<void>;
}

export interface SlackApiOptions {
  token: string;
  /** Default Slack's own; the emulator in tests. */
  slackApiUrl?: string;
  fetch?: typeof fetch;
  /** Per-attempt timeout. */
  timeoutMs?: number;
}

/** Platform errors that mean "Slack had a bad moment", not "your request is wrong". */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "ratelimited",
]);

export function createSlackApi(options: SlackApiOptions): SlackApi {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  // The outbox is the one place that retries: the client makes exactly one attempt and reports 429s.
  const client = new WebClient(options.token, {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  return {
    async call(method, args) {
      try {
        return (await client.apiCall(method, args)) as unknown as SlackResult;
      } catch (err) {
        throw new SlackCallError(method, classifyWebApiError(err));
      }
    },
    async postToUrl(label, url, body, contentType) {
      let res: Response;
      try {
        res = await doFetch(url, {
          method: "POST",
          headers: { "content-type": contentType },
          body,
          redirect: "error",
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new SlackCallError(label, { kind: "transient", detail: (err as Error).message });
      }
      const text = await res.text().catch(() => "");
      if (res.status === 200) return;
      if (res.status === 429) {
        throw new SlackCallError(label, {
          kind: "rate_limited",
          retryAfterMs: retryAfterMs(res.headers.get("retry-after")),
        });
      }
      if (res.status >= 500)
        throw new SlackCallError(label, { kind: "transient", detail: `HTTP ${res.status}` });
      const code = /"error"\s*:\s*"([^"]+)"/.exec(text)?.[1] ?? `http_${res.status}`;
      throw new SlackCallError(label, { kind: "permanent", code, detail: `HTTP ${res.status}` });
    },
  };
}

export function classifyWebApiError(err: unknown): SlackFailure {
  const e = err as {
    code?: string;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string };
    message?: string;
  };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return { kind: "rate_limited", retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000 };
    case ErrorCode.HTTPError:
      return (e.statusCode ?? 0) >= 500 || e.statusCode === 408
        ? { kind: "transient", detail: `HTTP ${e.statusCode}` }
        : { kind: "permanent", code: `http_${e.statusCode}`, detail: e.message ?? "" };
    case ErrorCode.RequestError:
      return { kind: "transient", detail: e.message ?? "network error" };
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? "unknown_error";
      return TRANSIENT_PLATFORM_ERRORS.has(code)
        ? { kind: "transient", detail: code }
        : { kind: "permanent", code, detail: e.message ?? code };
    }
    default:
      // Not a Slack error at all (a bug, bad arguments): retrying would loop forever.
      return { kind: "permanent", code: "unexpected_error", detail: e.message ?? String(err) };
  }
}

function retryAfterMs(header: string | null): number {
  const seconds = Number.parseInt(header ?? "", 10);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : 1) * 1000;
}
