import { readFileSync } from "node:fs";
import type { NetboxSourceConfig } from "../../config/inventory-schema.js";
import type { CandidateDevice } from "../../config/profiles.js";
import { parseDuration } from "../../lib/clock.js";
import { ConfigError, OpsbotError } from "../../lib/errors.js";
import type { Logger } from "../../lib/logger.js";
import { type GetJson, type JsonResponse, getJson as realGetJson } from "./http-json.js";
import { fromNetbox } from "./netbox-map.js";
import type { InventorySource, SourceListing } from "./types.js";

export interface NetboxSourceDeps {
  config: NetboxSourceConfig;
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  getJson?: GetJson;
  /** Waits between retries; tests keep the real one with a small base. */
  sleep?: (ms: number) => Promise<void>;
  /** First retry delay; doubles each attempt. Default 1 s. */
  backoffMs?: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * NetBox as a device source: /api/dcim/devices/ (and virtual machines when asked), every page by its
 * `next` link, with the configured filters. The token goes only into the Authorization header: it is
 * never logged nor put in a message. Network errors, timeouts, 429 and 5xx are retried with backoff;
 * 401/403/404 are not, and say what to check.
 */
export function createNetboxSource(deps: NetboxSourceDeps): InventorySource {
  const c = deps.config;
  const env = deps.env ?? process.env;
  const getJson = deps.getJson ?? realGetJson;
  const sleep = deps.sleep ?? realSleep;
  const backoffMs = deps.backoffMs ?? 1000;
  const timeoutMs = parseDuration(c.timeout) ?? 30_000;
  const base = new URL(c.url.endsWith("/") ? c.url : `${c.url}/`);
  let ca: string | undefined;

  function token(): string {
    const t = env[c.token_env];
    if (t === undefined || t.trim() === "") {
      throw new ConfigError("The NetBox token is not set.", [
        `inventory.netbox.token_env names ${c.token_env}, which is empty in the environment (put it in .env)`,
      ]);
    }
    return t.trim();
  }

  function caPem(): string | undefined {
    if (c.ca_file === undefined) return undefined;
    try {
      ca ??= readFileSync(c.ca_file, "utf8");
    } catch (err) {
      throw new ConfigError(`Cannot read the NetBox CA file ${c.ca_file}.`, [
        `inventory.netbox.ca_file: ${(err as Error).message}`,
      ]);
    }
    return ca;
  }

  function firstPage(path: string): URL {
    const url = new URL(path, base);
    url.searchParams.set("limit", String(c.page_size));
    url.searchParams.set("exclude", "config_context");
    for (const [key, value] of Object.entries(c.filters)) {
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
    }
    return url;
  }

  /** A `next` link, re-rooted on the configured URL: behind a proxy NetBox may name another scheme or host. */
  function nextPage(next: string, current: URL): URL {
    const link = new URL(next, current);
    const url = new URL(base);
    url.pathname = link.pathname;
    url.search = link.search;
    return url;
  }

  function refused(res: JsonResponse, url: URL): OpsbotError {
    const detail =
      res.body &&
      typeof res.body === "object" &&
      typeof (res.body as { detail?: unknown }).detail === "string"
        ? ` ("${(res.body as { detail: string }).detail}")`
        : "";
    const where = `${url.origin}${url.pathname}`;
    if (res.status === 401 || res.status === 403) {
      return new OpsbotError(
        "UNAVAILABLE",
        `NetBox refused the token: HTTP ${res.status}${detail} from ${where}. Check that ${c.token_env} holds a valid, unexpired NetBox API token whose user may view ${url.pathname.includes("virtual-machines") ? "virtualization.virtualmachine" : "dcim.device"} (and that the token's allowed IPs include this host).`,
      );
    }
    if (res.status === 404) {
      return new OpsbotError(
        "UNAVAILABLE",
        `NetBox answered 404 Not Found${detail} for ${where}. Check inventory.netbox.url: it is NetBox's base URL (e.g. https://netbox.example.com), without /api.`,
      );
    }
    return new OpsbotError("UNAVAILABLE", `NetBox answered HTTP ${res.status}${detail} for ${where}.`);
  }

  async function fetchPage(url: URL, auth: string): Promise<JsonResponse> {
    let lastError = "";
    for (let attempt = 0; attempt <= c.retries; attempt++) {
      if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
      try {
        const pem = caPem();
        const res = await getJson(url, {
          headers: { Authorization: auth },
          timeoutMs,
          ...(pem ? { ca: pem } : {}),
        });
        if (res.status === 200) return res;
        if (res.status !== 429 && res.status < 500) throw refused(res, url);
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        if (err instanceof OpsbotError) throw err;
        lastError = (err as Error).message;
      }
      deps.logger.warn(
        { url: `${url.origin}${url.pathname}`, attempt: attempt + 1, error: lastError },
        "NetBox request failed",
      );
    }
    throw new OpsbotError(
      "UNAVAILABLE",
      `NetBox did not answer ${url.origin}${url.pathname} after ${c.retries + 1} attempts: ${lastError}.`,
    );
  }

  async function listAll(path: string, kind: "device" | "vm", out: SourceListing): Promise<void> {
    const t = token();
    const auth = t.startsWith("nbt_") ? `Bearer ${t}` : `Token ${t}`;
    let url: URL | undefined = firstPage(path);
    const seen = new Set<string>();
    while (url) {
      if (seen.has(url.href))
        throw new OpsbotError("UNAVAILABLE", `NetBox's paging loops at ${url.origin}${url.pathname}.`);
      seen.add(url.href);
      const res = await fetchPage(url, auth);
      const page = res.body as { results?: unknown; next?: unknown } | undefined;
      if (!page || !Array.isArray(page.results)) {
        throw new OpsbotError(
          "UNAVAILABLE",
          `${url.origin}${url.pathname} did not answer with a NetBox list (no "results"): is inventory.netbox.url NetBox?`,
        );
      }
      for (const entry of page.results as Record<string, unknown>[]) {
        const r = fromNetbox(entry, { kind, nameBy: c.name, profileField: c.profile_field });
        if ("device" in r) out.devices.push(r.device);
        else out.skipped.push(r.skipped);
      }
      url = typeof page.next === "string" && page.next !== "" ? nextPage(page.next, url) : undefined;
    }
  }

  return {
    name: "netbox",
    refreshMs: parseDuration(c.refresh) ?? 3_600_000,
    location: base.origin + base.pathname.replace(/\/$/, ""),
    async list() {
      const out: SourceListing = { devices: [] as CandidateDevice[], skipped: [] };
      await listAll("api/dcim/devices/", "device", out);
      if (c.virtual_machines) await listAll("api/virtualization/virtual-machines/", "vm", out);
      return out;
    },
  };
}
