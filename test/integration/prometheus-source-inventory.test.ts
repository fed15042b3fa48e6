import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createNetboxSource } from "../../src/management/inventory/netbox.js";
import { type TestCore, testCore } from "../support/core.js";
import { type NetboxObjectSpec, type NetboxStandin, startNetboxStandin } from "../support/netbox-standin.js";
import { type RunningService, startPrometheus } from "../support/prometheus-stack.js";

/**
 * An inventory refresh reaches the Prometheus source: a NetBox device at a site whose profile says
 * `via: prometheus` joins the source's next cycle, and leaves it when NetBox drops it — no SIGHUP.
 * Prometheus is the real program (no scrape targets: the device is reported as "no series", which is
 * enough to show the source handled it). NetBox cannot be installed: test/support/netbox-standin.ts.
 */
const TOKEN = "0123456789abcdef0123456789abcdef01234567";
const local: NetboxObjectSpec = {
  id: 1,
  name: "dc1-sw1",
  site: "dc1",
  role: "access",
  tags: ["opsbot"],
  primaryIp: "10.1.0.1/24",
};
const remote: NetboxObjectSpec = {
  id: 2,
  name: "dc9-sw1",
  site: "dc9",
  role: "access",
  tags: ["opsbot"],
  primaryIp: "10.9.0.1/24",
};

let prom: RunningService;
let nb: NetboxStandin;
let core: TestCore;

beforeAll(async () => {
  [prom, nb] = await Promise.all([
    startPrometheus("global: { scrape_interval: 1s }\nscrape_configs: []\n"),
    startNetboxStandin({ token: TOKEN, devices: [local] }),
  ]);
  const env = { NETBOX_TOKEN: TOKEN };
  const yaml = `
roles: { oncall: [alice] }
sources:
  prometheus: { url: ${JSON.stringify(prom.url)}, interval: 1h }
profiles:
  dc1:
    match: { site: dc1 }
    snmp: { community: ro }
  dc9-via-prometheus:
    match: { site: dc9 }
    via: prometheus
inventory:
  netbox: { url: ${JSON.stringify(nb.url)}, token_env: NETBOX_TOKEN, timeout: 5s }
`;
  const config = parseConfig(yaml, "opsbot.yaml", env);
  core = testCore(yaml, {
    env,
    inventorySources: [
      createNetboxSource({ config: config.inventory.netbox!, env, logger: silentLogger(), backoffMs: 1 }),
    ],
  });
}, 60_000);

afterAll(async () => {
  core?.cleanup();
  await nb?.close();
  await prom?.stop();
});

const lastError = (name: string) =>
  core.store.db.prepare("SELECT last_error FROM device_state WHERE name = ?").pluck().get(name);

describe("Prometheus source after an inventory refresh", () => {
  it("picks up a device a refresh adds (profile via: prometheus) and drops one a refresh removes", async () => {
    const source = core.fleetSources[0]!;
    expect((await core.ask("inventory refresh")).outcome).toBe("ok");
    const before = await source.cycle();
    expect(before).toMatchObject({ ok: true, recorded: 0 });

    nb.setDevices([local, remote]);
    expect((await core.ask("inventory refresh")).outcome).toBe("ok");
    expect(core.services.config.devices.find((d) => d.name === "dc9-sw1")?.via).toBe("prometheus");
    const added = await source.cycle();
    expect(added).toMatchObject({ ok: true, recorded: 1 });
    expect(lastError("dc9-sw1")).toContain('Prometheus has no series with instance="dc9-sw1"');
    // The poller's device is not the source's business.
    expect(lastError("dc1-sw1")).toBeNull();

    nb.setDevices([local]);
    expect((await core.ask("inventory refresh")).outcome).toBe("ok");
    expect(await source.cycle()).toMatchObject({ ok: true, recorded: 0 });
  });
});
