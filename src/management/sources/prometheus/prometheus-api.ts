import { ConfigError, OpsbotError } from "../../../lib/errors.js";

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

export interface PrometheusApi {
  readonly url: string;
  query(promql: string): Promise<PromSample[]>;
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
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export function createPrometheusApi(options: PrometheusApiOptions): PrometheusApi {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.endsWith("/") ? options.url : `${options.url}/`;
  return {
    url: options.url,
    async query(promql) {
      const where = `Prometheus at ${options.url}`;
      let res: Response;
      try {
        res = await doFetch(new URL("api/v1/query", base), {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            ...(options.authorization ? { authorization: options.authorization } : {}),
          },
          body: new URLSearchParams({ query: promql, timeout: `${Math.ceil(options.timeoutMs / 1000)}s` }),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (err) {
        const cause = err as Error;
        const why =
          cause.name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : cause.message;
        throw new OpsbotError("UNAVAILABLE", `${where} did not answer: ${why}`, { cause: err });
      }
      const text = await res.text();
      let body: QueryResponse | undefined;
      try {
        body = JSON.parse(text) as QueryResponse;
      } catch {
        body = undefined;
      }
      if (!res.ok || body?.status !== "success") {
        const detail = body?.error ?? text.slice(0, 200);
        const auth = res.status === 401 || res.status === 403 ? " (check bearer_token_env / basic_auth)" : "";
        throw new OpsbotError(
          "UNAVAILABLE",
          `${where} answered ${res.status}${auth}: ${detail} — query: ${promql}`,
        );
      }
      if (body.warnings && body.warnings.length > 0) {
        throw new OpsbotError(
          "UNAVAILABLE",
          `${where} answered partially (${body.warnings.join("; ")}) — query: ${promql}`,
        );
      }
      if (body.data?.resultType !== "vector") {
        throw new OpsbotError(
          "UNAVAILABLE",
          `${where} answered a ${body.data?.resultType} to an instant query: ${promql}`,
        );
      }
      return body.data.result.map((r) => ({
        labels: r.metric,
        value: Number(r.value[1]),
        at: Math.round(r.value[0] * 1000),
      }));
    },
  };
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
