import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { resolveDevice } from "../../src/config/profiles.js";

describe("a profile's via", () => {
  const config = parseConfig(
    `sources: { prometheus: { url: "http://127.0.0.1:9090" } }
profiles:
  remote: { match: { site: dc9 }, via: prometheus }
`,
    "opsbot.yaml",
    {},
  );
  const candidate = (site: string, via?: "poller") => ({
    name: `${site}-sw1`,
    host: "10.9.0.1",
    tags: [],
    site,
    ...(via ? { via } : {}),
    own: {},
    source: "netbox",
  });

  it("sends matching devices to the Prometheus source (usable without SNMP settings); the device's own via wins", () => {
    const r = resolveDevice(candidate("dc9"), config.profiles);
    expect(r.device?.via).toBe("prometheus");
    expect(r.pollable).toBe(true);
    expect(resolveDevice(candidate("dc9", "poller"), config.profiles).device?.via).toBe("poller");
    const other = resolveDevice(candidate("dc1"), config.profiles);
    expect(other.device?.via).toBeUndefined();
    expect(other.pollable).toBe(false);
  });

  it("needs sources.prometheus, said at the profile's key", () => {
    let details: string[] = [];
    try {
      parseConfig("profiles:\n  remote: { match: { site: dc9 }, via: prometheus }\n", "opsbot.yaml", {});
    } catch (err) {
      details = (err as { details: string[] }).details;
    }
    expect(details.join("\n")).toMatch(/profiles\.remote\.via.*sources\.prometheus/);
  });
});
