import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatPort } from "../src/chat/port.js";
import { configSchema } from "../src/config/schema.js";
import { systemClock } from "../src/lib/clock.js";
import { silentLogger } from "../src/lib/logger.js";
import { mergeInventory } from "../src/management/inventory/merge.js";
import { createNetboxSource } from "../src/management/inventory/netbox.js";
import { createInventory } from "../src/management/inventory/service.js";
import { registrationsFromConfig } from "../src/management/schedule.js";
import { createStateRepo } from "../src/management/state-repo.js";
import { openStore } from "../src/store/store.js";
import { type NetboxObjectSpec, startNetboxStandin } from "../test/support/netbox-standin.js";
import { printTable } from "./stats.js";

/**
 * 20,000 devices from NetBox (the local stand-in serving NetBox 4's list shape, 1,000 per page, in this
 * process): fetched, mapped, merged with profiles, kept in the store and synced into the device cache.
 * The peer is the floor for the same pages: Node's fetch + JSON.parse of every page, nothing else.
 * CPU includes the stand-in serializing the pages, in both the peer and opsbot's runs.
 */
const DEVICES = 20_000;
const TOKEN = "0123456789abcdef0123456789abcdef01234567";

const silentChat: ChatPort = {
  post: async (channel) => ({ channel, ts: "1.0" }),
  update: async () => {},
  postEphemeral: async () => {},
  uploadFile: async () => {},
};

function specs(): NetboxObjectSpec[] {
  const roles = ["access", "distribution", "core", "server"];
  return Array.from({ length: DEVICES }, (_, i) => ({
    id: i + 1,
    name: `dev-${String(i).padStart(5, "0")}`,
    site: `site-${i % 40}`,
    role: roles[i % roles.length]!,
    platform: i % 3 === 0 ? "ios" : "eos",
    tags: i % 10 === 0 ? ["monitored", "uplink"] : ["monitored"],
    primaryIp: `10.${Math.floor(i / 65_536) % 256}.${Math.floor(i / 256) % 256}.${i % 256}/16`,
    ...(i % 50 === 0 ? { customFields: { opsbot_profile: "special" } } : {}),
  }));
}

async function measure<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; wallMs: number; cpuMs: number; rssMb: number }> {
  global.gc?.();
  const cpu = process.cpuUsage();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const start = performance.now();
  const result = await fn();
  const wallMs = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const used = process.cpuUsage(cpu);
  return { result, wallMs, cpuMs: (used.user + used.system) / 1000, rssMb: peak / 1024 / 1024 };
}

async function main(): Promise<void> {
  const nb = await startNetboxStandin({ token: TOKEN, devices: specs() });
  const dir = mkdtempSync(join(tmpdir(), "opsbot-bench-inventory-"));
  try {
    const config = configSchema.parse({
      channels: { admin: "C-ADMIN" },
      profiles: {
        access: { match: { role: "access" }, snmp: { community: "ro-access" } },
        dc: { match: { site: "site-1", role: "core" }, snmp: { community: "ro-core-1" } },
        everyone: { match: {}, snmp: { community: "ro" } },
        special: {
          snmp: { community: "special" },
          ssh: { user: "ops", known_hosts: "/etc/opsbot/known_hosts" },
        },
      },
      inventory: { netbox: { url: nb.url, token_env: "NETBOX_TOKEN", filters: { tag: "monitored" } } },
    });
    const env = { NETBOX_TOKEN: TOKEN };
    const source = createNetboxSource({ config: config.inventory.netbox!, env, logger: silentLogger() });

    const peer = await measure(async () => {
      let url: string | null = `${nb.url}/api/dcim/devices/?limit=1000&tag=monitored`;
      let n = 0;
      while (url) {
        const res = await fetch(url, {
          headers: { Authorization: `Token ${TOKEN}`, Accept: "application/json" },
        });
        const page = (await res.json()) as { next: string | null; results: unknown[] };
        n += page.results.length;
        url = page.next;
      }
      return n;
    });
    const fetched = await measure(() => source.list());
    const merged = await measure(async () =>
      mergeInventory(config, [{ source: "netbox", devices: fetched.result.devices }]),
    );
    const store = openStore(join(dir, "opsbot.db"));
    const inventory = createInventory({
      config,
      sources: [source],
      store,
      clock: systemClock,
      logger: silentLogger(),
      chat: silentChat,
    });
    const refresh = await measure(() => inventory.refresh());
    const sync = await measure(async () =>
      createStateRepo(store).syncDevices(
        registrationsFromConfig({ polling: config.polling, devices: inventory.current().devices }),
        Date.now(),
      ),
    );
    // A restart: the kept list is read back and merged before the first poll.
    const restart = await measure(async () => {
      const again = createInventory({
        config,
        sources: [source],
        store,
        clock: systemClock,
        logger: silentLogger(),
        chat: silentChat,
      });
      return again.current().devices.length;
    });
    store.close();

    const row = (m: { wallMs: number; cpuMs: number; rssMb: number }) =>
      `wall ${m.wallMs.toFixed(0)} ms, CPU ${m.cpuMs.toFixed(0)} ms, peak RSS ${m.rssMb.toFixed(0)} MB`;
    const total = fetched.wallMs + merged.wallMs;
    printTable(`NetBox inventory, ${DEVICES.toLocaleString("en-US")} devices, 20 pages`, [
      ["peer: fetch + JSON.parse", `${row(peer)} (${peer.result} devices)`],
      ["opsbot: fetch + map", `${row(fetched)} (${fetched.result.devices.length} devices)`],
      ["opsbot: merge + profiles", row(merged)],
      [
        "opsbot: refresh (fetch, merge, keep, diff)",
        `${row(refresh)} (added ${refresh.result.change.added.length})`,
      ],
      ["device cache sync", row(sync)],
      ["restart: read kept list + merge", `${row(restart)} (${restart.result} devices)`],
      ["import + merge vs peer (wall)", `${(total / peer.wallMs).toFixed(2)}×`],
      ["refresh vs peer (wall)", `${(refresh.wallMs / peer.wallMs).toFixed(2)}×`],
      ["refresh vs peer (CPU)", `${(refresh.cpuMs / peer.cpuMs).toFixed(2)}×`],
    ]);
  } finally {
    await nb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
