import { describe, expect, it } from "vitest";
import { createDiscoverySink } from "../../src/management/sources/prometheus/discovery.js";
import { scanVector } from "../../src/management/sources/prometheus/vector-scanner.js";

/** A Prometheus instant-query answer as its API writes it. */
function answer(series: Array<Record<string, string>>): string {
  const result = series.map((metric) => ({ metric, value: [1733000000.5, "1"] }));
  return JSON.stringify({ status: "success", data: { resultType: "vector", result } });
}

describe("discovery sink", () => {
  const labels = { device_label: "instance", site_label: "site", tag_labels: ["role", "zone"] };

  it("keeps each device's label value, site and tags (in tag_labels order, empty ones dropped)", () => {
    const sink = createDiscoverySink(labels);
    const text = answer([
      { __name__: "up", instance: "sw1", job: "snmp", zone: "z1", site: "fra", role: "access" },
      { __name__: "up", instance: "sw2", job: "snmp", role: "", site: "ber" },
      { __name__: "up", instance: "sw3", job: "snmp" },
    ]);
    expect(scanVector(text, sink.add)).toBeDefined();
    expect([...sink.devices.values()]).toEqual([
      { value: "sw1", site: "fra", tags: ["access", "z1"] },
      { value: "sw2", site: "ber", tags: [] },
      { value: "sw3", site: undefined, tags: [] },
    ]);
  });

  it("a device in several series keeps the first one's labels; a series without the device label is skipped", () => {
    const sink = createDiscoverySink(labels);
    const text = answer([
      { __name__: "up", instance: "sw1", job: "a", site: "fra" },
      { __name__: "up", job: "b", site: "ber" },
      { __name__: "up", instance: "sw1", job: "c", site: "ber", role: "core" },
    ]);
    scanVector(text, sink.add);
    expect([...sink.devices.values()]).toEqual([{ value: "sw1", site: "fra", tags: [] }]);
  });

  it("copes with a label array the scanner reuses between series", () => {
    const sink = createDiscoverySink({ device_label: "instance", tag_labels: ["role"] });
    const reused = ["instance", "a", "role", "x"];
    sink.add(reused, "1");
    reused.splice(0, 4, "instance", "b", "role", "y");
    sink.add(reused, "1");
    expect([...sink.devices.values()]).toEqual([
      { value: "a", site: undefined, tags: ["x"] },
      { value: "b", site: undefined, tags: ["y"] },
    ]);
  });
});
