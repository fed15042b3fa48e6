import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import { ManualClock } from "../../src/lib/clock.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createNetboxSource } from "../../src/management/inventory/netbox.js";
import { createInventory, type InventoryDeps } from "../../src/management/inventory/service.js";
import { openStore, type Store } from "../../src/store/store.js";
import { RecordingChat, testCore } from "../support/core.js";
import { type NetboxObjectSpec, type NetboxStandin, startNetboxStandin } from "../support/netbox-standin.js";
import { tempDir } from "../support/temp.js";

/** NetBox cannot be installed here: these run against test/support/netbox-standin.ts (NetBox 4's API shape). */
const TOKEN = "0123456789abcdef0123456789abcdef01234567";

const fleet: NetboxObjectSpec[] = [
  {
    id: 1,
    name: "dc1-sw1",
    site: "dc1",
    role: "access",
    platform: "ios",
    tags: ["opsbot"],
    primaryIp: "10.1.0.1/24",
  },
  {
    id: 2,
    name: "dc1-sw2",
    site: "dc1",
    role: "access",
    platform: "ios",
    tags: ["opsbot"],
    primaryIp: "10.1.0.2/24",
  },
  {
    id: 3,
    name: "dc1-core",
    site: "dc1",
    role: "core",
    platform: "nxos",
    tags: ["opsbot", "uplink"],
    primaryIp: "10.1.0.3/24",
    customFields: { opsbot_profile: "nexus" },
  },
  { id: 4, name: "dc1-sw4", site: "dc1", role: "access", tags: ["opsbot"], primaryIp: "10.1.0.4/24" },
  { id: 5, name: "dc1-sw5", site: "dc1", role: "access", tags: ["opsbot"], primaryIp: "10.1.0.5/24" },
  { id: 6, name: "dc1-sw6", site: "dc1", role: "access", tags: ["opsbot"], primaryIp: "10.1.0.6/24" },
  { id: 7, name: "dc1-sw7", site: "dc1", role: "access", tags: ["opsbot"], primaryIp: "10.1.0.7/24" },
  { id: 8, name: "dc1-noip", site: "dc1", role: "access", tags: ["opsbot"] },
  // Filtered out by site, status or tag:
  { id: 9, name: "dc2-sw1", site: "dc2", role: "access", tags: ["opsbot"], primaryIp: "10.2.0.1/24" },
  {
    id: 10,
    name: "dc1-planned",
    site: "dc1",
    role: "access",
    status: "planned",
    tags: ["opsbot"],
    primaryIp: "10.1.0.10/24",
  },
  { id: 11, name: "dc1-untagged", site: "dc1", role: "access", primaryIp: "10.1.0.11/24" },
];

const yaml = (url: string, extra = "") => `
roles:
  oncall: [alice]
channels:
  admin: "#netops-admin"
profiles:
  access:
    match: { role: access }
    snmp: { community: "\${RO}" }
  nexus:
    snmp: { community: nexus-ro }
inventory:
  netbox:
    url: ${url}
    token_env: NETBOX_TOKEN
    filters: { site: dc1, status: active, tag: opsbot }
    page_size: 3
    retries: 2
    timeout: 5s
${extra}`;

let nb: NetboxStandin;
const dirs: { cleanup(): void }[] = [];

beforeAll(async () => {
  nb = await startNetboxStandin({ token: TOKEN, devices: fleet });
});
afterAll(async () => {
  await nb.close();
});
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
  nb.setDevices(fleet);
  nb.failNext(0, 503);
});

function source(url = nb.url, env: NodeJS.ProcessEnv = { NETBOX_TOKEN: TOKEN, RO: "ro" }) {
  const config = parseConfig(yaml(url), "opsbot.yaml", env);
  return createNetboxSource({ config: config.inventory.netbox!, env, logger: silentLogger(), backoffMs: 5 });
}

describe("NetBox source", () => {
  it("follows next links over 3 pages with the filters, mapping site, role, platform, tags and the profile field", async () => {
    const before = nb.requests.length;
    const listing = await source().list();
    const requests = nb.requests.slice(before);
    expect(requests).toHaveLength(3);
    for (const r of requests) {
      const q = new URL(r.path, nb.url).searchParams;
      expect(q.get("site")).toBe("dc1");
      expect(q.get("status")).toBe("active");
      expect(q.get("tag")).toBe("opsbot");
      expect(q.get("limit")).toBe("3");
      expect(r.authorization).toBe(`Token ${TOKEN}`);
    }
    expect(listing.devices.map((d) => d.name)).toEqual([
      "dc1-sw1",
      "dc1-sw2",
      "dc1-core",
      "dc1-sw4",
      "dc1-sw5",
      "dc1-sw6",
      "dc1-sw7",
    ]);
    expect(listing.devices[2]).toMatchObject({
      host: "10.1.0.3",
      site: "dc1",
      role: "core",
      platform: "nxos",
      profile: "nexus",
      tags: ["opsbot", "uplink", "core", "nxos"],
      source: "netbox",
    });
    expect(listing.skipped).toEqual([
      "dc1-noip (device id 8): no primary IP in NetBox, so opsbot cannot reach it",
    ]);
  });

  it("names the URL and the token variable when NetBox refuses the token, and never shows the token", async () => {
    const wrong = "ffffffffffffffffffffffffffffffffffffffff";
    const before = nb.requests.length;
    const err = await source(nb.url, { NETBOX_TOKEN: wrong, RO: "ro" })
      .list()
      .catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain(`HTTP 403 ("Invalid token") from ${nb.url}/api/dcim/devices/`);
    expect(message).toContain("Check that NETBOX_TOKEN holds a valid, unexpired NetBox API token");
    expect(message).not.toContain(wrong);
    // A refused token is not retried.
    expect(nb.requests.length - before).toBe(1);
  });

  it("explains a 404 as a wrong base URL", async () => {
    const err = await source(`${nb.url}/netbox`)
      .list()
      .catch((e: Error) => e);
    expect((err as Error).message).toContain(`404 Not Found for ${nb.url}/netbox/api/dcim/devices/`);
    expect((err as Error).message).toContain("inventory.netbox.url");
  });

  it("retries a 503 with backoff and then succeeds", async () => {
    nb.failNext(2, 503);
    const before = nb.requests.length;
    const listing = await source().list();
    expect(listing.devices).toHaveLength(7);
    expect(nb.requests.length - before).toBe(5);
  });
});

/** The inventory service over a real store, with the NetBox source pointed at the stand-in. */
function inventoryOver(store: Store, every?: InventoryDeps["every"]) {
  const env = { NETBOX_TOKEN: TOKEN, RO: "ro" };
  const config = parseConfig(yaml(nb.url), "opsbot.yaml", env);
  return createInventory({
    config,
    sources: [
      createNetboxSource({ config: config.inventory.netbox!, env, logger: silentLogger(), backoffMs: 1 }),
    ],
    store,
    clock: new ManualClock(),
    logger: silentLogger(),
    chat: new RecordingChat(),
    ...(every ? { every } : {}),
  });
}

describe("NetBox in the running bot", () => {
  it("keeps the last good list through an outage and says so in fleet and health", async () => {
    const env = { NETBOX_TOKEN: TOKEN, RO: "ro" };
    const config = parseConfig(yaml(nb.url), "opsbot.yaml", env);
    const core = testCore(yaml(nb.url), {
      env,
      inventorySources: [
        createNetboxSource({ config: config.inventory.netbox!, env, logger: silentLogger(), backoffMs: 1 }),
      ],
    });
    dirs.push(core);
    const first = await core.ask("inventory refresh");
    expect(first.outcome).toBe("ok");
    expect(core.services.config.devices.map((d) => d.name)).toHaveLength(7);
    expect(core.services.fleet!.fleet().devices).toBe(7);
    // Reported once in the admin channel.
    expect(core.chat.posts.map((p) => p.channel)).toEqual(["#netops-admin"]);
    expect(replyToPlainText(core.chat.posts[0]!.reply)).toContain("Added 7 devices: dc1-sw1 (netbox)");

    nb.failNext(100, 503);
    const failed = await core.ask("inventory refresh");
    expect(replyToPlainText(failed.reply)).toContain("netbox: FAILED (NetBox did not answer");
    expect(replyToPlainText(failed.reply)).toContain("kept its last list of 7 devices");
    expect(core.services.config.devices).toHaveLength(7);
    expect(core.services.fleet!.fleet().devices).toBe(7);
    expect(core.chat.posts).toHaveLength(1);
    const health = core.inventory.health();
    expect(health.ok).toBe(false);
    expect(health.problems[0]).toMatch(
      /^netbox: last refresh failed \(NetBox did not answer .* after 3 attempts: HTTP 503\.\); using the list from 2026-01-01T12:00:00\.000Z$/,
    );
    const fleetAnswer = replyToPlainText((await core.ask("fleet")).reply);
    expect(fleetAnswer).toContain("Fleet: 7 devices");
    expect(fleetAnswer).toContain("Inventory: netbox: last refresh failed");

    // The list survives a restart of the bot: it is kept in the store.
    nb.failNext(0, 503);
    nb.setDevices(fleet.filter((d) => d.id !== 2));
    const diff = replyToPlainText((await core.ask("inventory diff")).reply);
    expect(diff).toContain("Removed 1 device: dc1-sw2 (netbox)");
    expect(core.services.config.devices).toHaveLength(7);
  });

  it("keeps the kept list across a restart", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const make = () => {
      const store = openStore(join(dir.path, "opsbot.db"));
      return { store, inventory: inventoryOver(store) };
    };
    const a = make();
    const first = await a.inventory.refresh();
    expect(first.change.added).toHaveLength(7);
    a.store.close();
    nb.failNext(100, 503);
    const b = make();
    expect(b.inventory.current().devices).toHaveLength(7);
    const report = await b.inventory.refresh();
    expect(report.sources[0]).toMatchObject({ ok: false, devices: 7 });
    expect(b.inventory.current().devices).toHaveLength(7);
    b.store.close();
  });

  it("refreshes on the source's schedule once started, and stops", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = openStore(join(dir.path, "opsbot.db"));
    const ticks: { ms: number; tick: () => void; stopped: boolean }[] = [];
    const inventory = inventoryOver(store, (ms, tick) => {
      const t = { ms, tick, stopped: false };
      ticks.push(t);
      return { stop: () => (t.stopped = true) };
    });
    const before = nb.requests.length;
    inventory.start();
    expect(ticks.map((t) => t.ms)).toEqual([3_600_000]);
    // Queued behind the start-up refresh: resolves when both are done (3 pages each).
    await inventory.refresh();
    expect(nb.requests.length - before).toBe(6);
    nb.setDevices(fleet.slice(0, 2));
    ticks[0]!.tick();
    await inventory.stop();
    expect(nb.requests.length - before).toBe(7);
    expect(inventory.current().devices.map((d) => d.name)).toEqual(["dc1-sw1", "dc1-sw2"]);
    expect(ticks[0]!.stopped).toBe(true);
    store.close();
  });
});
