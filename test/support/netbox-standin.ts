import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for NetBox 4's REST API (NetBox itself cannot be installed on these machines).
 * It serves /api/dcim/devices/ and /api/virtualization/virtual-machines/ the way NetBox documents
 * them: token auth (`Authorization: Token …`, or `Bearer nbt_…` for v2 tokens) answered with 403
 * and a `detail` when missing or invalid; limit/offset pagination (MAX_PAGE_SIZE 1000) with absolute
 * `next`/`previous` links that keep the other query parameters; filters by slug (site, role, platform,
 * tag — tags must all match, other repeated filters match any) and by status value; nested related
 * objects; custom fields; Django's HTML 404 for unknown paths. Faults can be injected for outage tests.
 */

export interface NetboxObjectSpec {
  id: number;
  name: string | null;
  site?: string;
  role?: string;
  platform?: string;
  status?: string;
  tags?: string[];
  /** "10.0.0.1/24"; absent: no primary IP. */
  primaryIp?: string;
  customFields?: Record<string, unknown>;
}

const MAX_PAGE_SIZE = 1000;
const PAGINATE_COUNT = 50;

const title = (slug: string) =>
  slug.replace(/(^|-)(\w)/g, (_m, dash: string, c: string) => `${dash ? " " : ""}${c.toUpperCase()}`);

function nested(base: string, path: string, id: number, slug: string) {
  return {
    id,
    url: `${base}/api/${path}/${id}/`,
    display: title(slug),
    name: title(slug),
    slug,
    description: "",
  };
}

/** One device (or VM) as NetBox 4 serializes it in a list. */
export function netboxObject(spec: NetboxObjectSpec, base: string, kind: "device" | "vm") {
  const idOf = (s: string) => [...s].reduce((n, c) => n + c.charCodeAt(0), 0);
  const ip = spec.primaryIp
    ? {
        id: 1000 + spec.id,
        url: `${base}/api/ipam/ip-addresses/${1000 + spec.id}/`,
        display: spec.primaryIp,
        family: {
          value: spec.primaryIp.includes(":") ? 6 : 4,
          label: spec.primaryIp.includes(":") ? "IPv6" : "IPv4",
        },
        address: spec.primaryIp,
        description: "",
      }
    : null;
  const status = spec.status ?? "active";
  const common = {
    id: spec.id,
    url: `${base}/api/${kind === "vm" ? "virtualization/virtual-machines" : "dcim/devices"}/${spec.id}/`,
    display_url: `${base}/${kind === "vm" ? "virtualization/virtual-machines" : "dcim/devices"}/${spec.id}/`,
    display: spec.name ?? `Unnamed device (${spec.id})`,
    name: spec.name,
    status: { value: status, label: title(status) },
    site: spec.site ? nested(base, "dcim/sites", idOf(spec.site), spec.site) : null,
    role: spec.role ? nested(base, "dcim/device-roles", idOf(spec.role), spec.role) : null,
    platform: spec.platform ? nested(base, "dcim/platforms", idOf(spec.platform), spec.platform) : null,
    tenant: null,
    primary_ip: ip,
    primary_ip4: ip && ip.family.value === 4 ? ip : null,
    primary_ip6: ip && ip.family.value === 6 ? ip : null,
    description: "",
    comments: "",
    config_template: null,
    local_context_data: null,
    tags: (spec.tags ?? []).map((t) => ({ ...nested(base, "extras/tags", idOf(t), t), color: "9e9e9e" })),
    custom_fields: spec.customFields ?? {},
    created: "2025-01-10T09:00:00.000000Z",
    last_updated: "2025-06-01T12:00:00.000000Z",
  };
  if (kind === "vm") return { ...common, cluster: null, device: null, vcpus: 2, memory: 4096, disk: 40 };
  return {
    ...common,
    device_type: {
      id: 7,
      url: `${base}/api/dcim/device-types/7/`,
      display: "C9300-48P",
      manufacturer: {
        id: 1,
        url: `${base}/api/dcim/manufacturers/1/`,
        display: "Cisco",
        name: "Cisco",
        slug: "cisco",
      },
      model: "C9300-48P",
      slug: "c9300-48p",
    },
    serial: "",
    asset_tag: null,
    location: null,
    rack: null,
    position: null,
    face: null,
    parent_device: null,
    airflow: null,
    oob_ip: null,
    cluster: null,
    virtual_chassis: null,
    vc_position: null,
    vc_priority: null,
    interface_count: 52,
  };
}

export interface NetboxStandin {
  url: string;
  /** Every request: path with query, and the Authorization header as sent. */
  requests: { path: string; authorization: string | undefined }[];
  /** Answer the next n API requests with this status (e.g. 503 for an outage, 500). */
  failNext(n: number, status: number): void;
  setDevices(devices: NetboxObjectSpec[]): void;
  close(): Promise<void>;
}

function matchesFilters(spec: NetboxObjectSpec, query: URLSearchParams): boolean {
  const any = (key: string, value: string | undefined) => {
    const wanted = query.getAll(key);
    return wanted.length === 0 || (value !== undefined && wanted.includes(value));
  };
  if (!any("site", spec.site) || !any("role", spec.role) || !any("platform", spec.platform)) return false;
  if (!any("status", spec.status ?? "active")) return false;
  const tags = spec.tags ?? [];
  return query.getAll("tag").every((t) => tags.includes(t));
}

export async function startNetboxStandin(options: {
  token: string;
  devices: NetboxObjectSpec[];
  vms?: NetboxObjectSpec[];
}): Promise<NetboxStandin> {
  let devices = options.devices;
  const vms = options.vms ?? [];
  const requests: NetboxStandin["requests"] = [];
  let faults = { left: 0, status: 503 };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json", Vary: "Accept", "API-Version": "4.2" });
    res.end(JSON.stringify(body));
  };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const host = req.headers.host ?? "127.0.0.1";
    const base = `http://${host}`;
    const url = new URL(req.url ?? "/", base);
    requests.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
    if (faults.left > 0) {
      faults.left--;
      res.writeHead(faults.status, { "Content-Type": "text/html" });
      res.end("<h1>Service Unavailable</h1>");
      return;
    }
    const lists: Record<string, { kind: "device" | "vm"; all: NetboxObjectSpec[] }> = {
      "/api/dcim/devices/": { kind: "device", all: devices },
      "/api/virtualization/virtual-machines/": { kind: "vm", all: vms },
    };
    const list = lists[url.pathname];
    if (!list) {
      res.writeHead(404, { "Content-Type": "text/html" });
      res.end("<h1>Not Found</h1><p>The requested resource was not found on this server.</p>");
      return;
    }
    const auth = req.headers.authorization;
    if (auth === undefined)
      return json(res, 403, { detail: "Authentication credentials were not provided." });
    const [scheme, key] = auth.split(" ");
    const valid =
      (scheme === "Token" || (scheme === "Bearer" && key?.startsWith("nbt_"))) && key === options.token;
    if (!valid) return json(res, 403, { detail: "Invalid token" });
    const requested = Number(url.searchParams.get("limit") ?? PAGINATE_COUNT);
    const limit = requested === 0 ? MAX_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
    const offset = Number(url.searchParams.get("offset") ?? 0);
    const matching = list.all.filter((d) => matchesFilters(d, url.searchParams));
    const page = matching.slice(offset, offset + limit);
    const link = (at: number) => {
      const u = new URL(url.href);
      u.searchParams.set("limit", String(limit));
      u.searchParams.set("offset", String(at));
      return u.href;
    };
    json(res, 200, {
      count: matching.length,
      next: offset + limit < matching.length ? link(offset + limit) : null,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      results: page.map((d) => netboxObject(d, base, list.kind)),
    });
  };

  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(n, status) {
      faults = { left: n, status };
    },
    setDevices(next) {
      devices = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
