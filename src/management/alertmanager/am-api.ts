import * as z from "zod";
import { OpsbotError } from "../../lib/errors.js";

/**
 * Alertmanager's API v2, the two calls silences need. Matchers are sent as JSON objects (equality,
 * never regex), so label values need no escaping. Every failure — no answer, an error status, a body
 * that is not what v2 answers — is one UNAVAILABLE error naming the server and what it said.
 */
export interface AmMatcher {
  name: string;
  value: string;
  isRegex: false;
  isEqual: true;
}

export interface NewSilence {
  matchers: AmMatcher[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  comment: string;
}

/** A silence as `GET /api/v2/silences` lists it (times in ms since the epoch). */
export interface AmListedSilence {
  id: string;
  state: "active" | "pending" | "expired";
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  createdBy: string;
  comment: string;
  startsAt: number;
  endsAt: number;
  updatedAt: number | null;
}

const listedSchema = z.array(
  z.object({
    id: z.string().min(1),
    status: z.object({ state: z.enum(["active", "pending", "expired"]) }),
    matchers: z.array(
      z.object({
        name: z.string(),
        value: z.string(),
        isRegex: z.boolean(),
        // Alertmanager before 0.22 has no isEqual: every matcher was "=" or "=~".
        isEqual: z.boolean().default(true),
      }),
    ),
    createdBy: z.string().default(""),
    comment: z.string().default(""),
    startsAt: z.string(),
    endsAt: z.string(),
    updatedAt: z.string().optional(),
  }),
);

const time = (text: string, what: string): number => {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`${what} "${text}" is not a time`);
  return ms;
};

export interface AlertmanagerApi {
  readonly url: string;
  /** Creates the silence; resolves to Alertmanager's silenceID. */
  createSilence(s: NewSilence): Promise<string>;
  /** Expires a silence; one that is already expired or gone counts as done. */
  expireSilence(id: string): Promise<void>;
  /** Every silence Alertmanager holds (active, pending, and expired ones it still keeps). */
  listSilences(): Promise<AmListedSilence[]>;
}

export interface AlertmanagerApiOptions {
  url: string;
  /** Authorization header value ("Bearer …" / "Basic …"), from the environment. */
  authorization?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export function equalityMatchers(labels: Record<string, string>): AmMatcher[] {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
}

export function createAlertmanagerApi(options: AlertmanagerApiOptions): AlertmanagerApi {
  const doFetch = options.fetch ?? fetch;
  const base = options.url.endsWith("/") ? options.url : `${options.url}/`;
  const where = `Alertmanager at ${options.url}`;

  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string }> {
    let res: Response;
    try {
      res = await doFetch(new URL(path, base), {
        method,
        headers: {
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(options.authorization ? { authorization: options.authorization } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (err) {
      const cause = err as Error & { cause?: { code?: string } };
      const why =
        cause.name === "TimeoutError"
          ? `no answer within ${options.timeoutMs} ms`
          : (cause.cause?.code ?? cause.message);
      throw new OpsbotError("UNAVAILABLE", `${where} did not answer (${why})`, { cause: err });
    }
    return { status: res.status, text: await res.text() };
  }

  const failure = (what: string, status: number, text: string) => {
    const auth = status === 401 || status === 403 ? " (check alertmanager.api credentials)" : "";
    return new OpsbotError(
      "UNAVAILABLE",
      `${where} refused to ${what}: HTTP ${status}${auth}: ${text.trim().slice(0, 200) || "(empty body)"}`,
    );
  };

  return {
    url: options.url,
    async createSilence(s) {
      const body = {
        matchers: s.matchers,
        startsAt: s.startsAt.toISOString(),
        endsAt: s.endsAt.toISOString(),
        createdBy: s.createdBy,
        comment: s.comment,
      };
      const res = await call("POST", "api/v2/silences", body);
      if (res.status !== 200) throw failure("create the silence", res.status, res.text);
      let id: unknown;
      try {
        id = (JSON.parse(res.text) as { silenceID?: unknown }).silenceID;
      } catch {
        id = undefined;
      }
      if (typeof id !== "string" || id === "")
        throw new OpsbotError(
          "UNAVAILABLE",
          `${where} answered without a silenceID: ${res.text.slice(0, 200)}`,
        );
      return id;
    },
    async expireSilence(id) {
      const res = await call("DELETE", `api/v2/silence/${encodeURIComponent(id)}`);
      if (res.status === 200 || res.status === 404) return;
      // Alertmanager answers 500 "silence … already expired" for a silence that ended meanwhile.
      if (/already expired/i.test(res.text)) return;
      throw failure("expire the silence", res.status, res.text);
    },
    async listSilences() {
      const res = await call("GET", "api/v2/silences");
      if (res.status !== 200) throw failure("list its silences", res.status, res.text);
      try {
        return listedSchema.parse(JSON.parse(res.text)).map((x) => ({
          id: x.id,
          state: x.status.state,
          matchers: x.matchers,
          createdBy: x.createdBy,
          comment: x.comment,
          startsAt: time(x.startsAt, "startsAt"),
          endsAt: time(x.endsAt, "endsAt"),
          updatedAt: x.updatedAt === undefined ? null : time(x.updatedAt, "updatedAt"),
        }));
      } catch (err) {
        const why = err instanceof z.ZodError ? err.issues[0]?.message : (err as Error).message;
        throw new OpsbotError(
          "UNAVAILABLE",
          `${where} answered GET /api/v2/silences with something that is not a silence list (${why}): ${res.text.trim().slice(0, 120)}`,
          { cause: err },
        );
      }
    },
  };
}
