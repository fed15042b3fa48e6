import { ConfigError, OpsbotError } from "../../../lib/errors.js";
import { type SeriesCallback, scanVector } from "./vector-scanner.js";

/**
 * Prometheus's HTTP API, the parts the source uses: instant queries (`/api/v1/query`) with their
 * series labels, values and sample timestamps. Every failure is one UNAVAILABLE error naming the
 * server and the query; a partial answer (warnings) counts as a failure, so the source never
 * records half a fleet.
 */
export interface PromSample {
  labels: Record<string, string>;
  value: number;
  /** ms since epoch: the evaluation time (instant vector); use timestamp() for the sample's own time. */
  at: number;
}

/** One series of a range query: its labels and [ms, value] points (absent steps are gaps). */
export interface PromRangeSeries {
  labels: Record<string, string>;
  points: Array<[number, number]>;
}

/** Receives an instant query's series one by one (see scanVector: the labels array is reused). */
export interface SeriesSink {
  add: SeriesCallback;
}

export interface PrometheusApi {
  readonly url: string;
  query(promql: string): Promise<PromSample[]>;
  /**
   * An instant query whose series go straight into a sink made by `sink()` (no sample objects: what a
   * batch of thousands of series costs is mostly those). Resolves with the sink that saw every series
   * exactly once; a sink that saw part of an answer before a failure is dropped, never returned.
   */
  queryInto<T extends SeriesSink>(promql: string, sink: () => T): Promise<T>;
  /** `/api/v1/query_range` from `start` to `end` (ms) every `stepMs`. */
  queryRange(promql: string, start: number, end: number, stepMs: number): Promise<PromRangeSeries[]>;
}

export interface PrometheusApiOptions {
  url: string;
  /** Authorization header value ("Bearer …" / "Basic …"), from the environment. */
  authorization?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

interface QueryResponse {
  status: "success" | "error";
  data?: {
    resultType: string;
    result: Array<{
      metric: Record<string, string>;
      value: [number, string];
      values: Array<[number, string]>;
    }>;
  };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

type QueryResult = NonNullable<QueryResponse["data"]>["result"];

export function createPrometheusApi(options: PrometheusApiOptions): PrometheusApi {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.endsWith("/") ? options.url : `${options.url}/`;
  const where = `Prometheus at ${options.url}`;
  // Compressing megabytes of answer costs both ends CPU and saves nothing on the loopback interface.
  const encoding: Record<string, string> = isLoopback(new URL(base).hostname)
    ? { "accept-encoding": "identity" }
    : {};

  /** POSTs a form-encoded query (no URL length limit) and returns the answer's text. */
  async function postText(
    path: string,
    form: Record<string, string>,
  ): Promise<{ res: Response; text: string }> {
    let res: Response;
    try {
      res = await doFetch(new URL(path, base), {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          ...encoding,
          ...(options.authorization ? { authorization: options.authorization } : {}),
        },
        body: new URLSearchParams({ ...form, timeout: `${Math.ceil(options.timeoutMs / 1000)}s` }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      const cause = err as Error;
      const why = cause.name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : cause.message;
      throw new OpsbotError("UNAVAILABLE", `${where} did not answer: ${why}`, { cause: err });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new OpsbotError("UNAVAILABLE", `${where} broke off its answer: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return { res, text };
  }

  /** The answer's result, or the UNAVAILABLE error saying what was wrong with it. */
  function checked(
    res: Response,
    text: string,
    body: QueryResponse | undefined,
    promql: string,
    expected: string,
  ): QueryResult {
    if (!res.ok || body?.status !== "success") {
      const detail = body?.error ?? text.slice(0, 200);
      const auth = res.status === 401 || res.status === 403 ? " (check bearer_token_env / basic_auth)" : "";
      throw new OpsbotError(
        "UNAVAILABLE",
        `${where} answered ${res.status}${auth}: ${detail} — query: ${shorten(promql)}`,
      );
    }
    if (body.warnings && body.warnings.length > 0) {
      throw new OpsbotError(
        "UNAVAILABLE",
        `${where} answered partially (${body.warnings.join("; ")}) — query: ${shorten(promql)}`,
      );
    }
    if (body.data?.resultType !== expected) {
      throw new OpsbotError(
        "UNAVAILABLE",
        `${where} answered a ${body.data?.resultType} where a ${expected} was expected: ${shorten(promql)}`,
      );
    }
    return body.data.result;
  }

  async function post(path: string, form: Record<string, string>, expected: string): Promise<QueryResult> {
    const { res, text } = await postText(path, form);
    return checked(res, text, parseJson(text), form.query ?? "", expected);
  }

  return {
    url: options.url,
    async queryInto(promql, sink) {
      const { res, text } = await postText("api/v1/query", { query: promql });
      const fast = sink();
      const envelope = res.ok ? scanVector(text, (labels, value) => fast.add(labels, value)) : undefined;
      if (envelope !== undefined) {
        checked(res, text, parseJson(envelope), promql, "vector");
        return fast;
      }
      // Not the shape the scanner reads: the ordinary parse, into a fresh sink.
      const result = checked(res, text, parseJson(text), promql, "vector");
      const out = sink();
      const labels: string[] = [];
      for (const r of result) {
        labels.length = 0;
        for (const [k, v] of Object.entries(r.metric)) labels.push(k, v);
        out.add(labels, String(r.value?.[1]));
      }
      return out;
    },
    async query(promql) {
      const result = await post("api/v1/query", { query: promql }, "vector");
      return result.map((r) => ({
        labels: r.metric,
        value: Number(r.value[1]),
        at: Math.round(r.value[0] * 1000),
      }));
    },
    async queryRange(promql, start, end, stepMs) {
      const result = await post(
        "api/v1/query_range",
        { query: promql, start: String(start / 1000), end: String(end / 1000), step: `${stepMs / 1000}` },
        "matrix",
      );
      return result.map((r) => ({
        labels: r.metric,
        points: r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]),
      }));
    },
  };
}

function parseJson(text: string): QueryResponse | undefined {
  try {
    return JSON.parse(text) as QueryResponse;
  } catch {
    return undefined;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** A query as quoted in an error: batch queries run to kilobytes of device names. */
function shorten(promql: string): string {
  return promql.length <= 300 ? promql : `${promql.slice(0, 300)}… (${promql.length} characters)`;
}

/** The Authorization header for the configured credentials, read from the environment. */
export function authorizationFrom(
  cfg: {
    bearer_token_env?: string | undefined;
    basic_auth?: { username: string; password_env: string } | undefined;
  },
  env: NodeJS.ProcessEnv,
  key = "sources.prometheus",
): string | undefined {
  if (cfg.bearer_token_env) {
    const token = env[cfg.bearer_token_env];
    if (!token)
      throw new ConfigError(`${key}.bearer_token_env names ${cfg.bearer_token_env}, which is not set.`);
    return `Bearer ${token}`;
  }
  if (cfg.basic_auth) {
    const password = env[cfg.basic_auth.password_env];
    if (password === undefined)
      throw new ConfigError(
        `${key}.basic_auth.password_env names ${cfg.basic_auth.password_env}, which is not set.`,
      );
    return `Basic ${Buffer.from(`${cfg.basic_auth.username}:${password}`).toString("base64")}`;
  }
  return undefined;
}
