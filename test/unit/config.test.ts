import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readEnv } from "../../src/config/env.js";
import { loadConfigFile, parseConfig } from "../../src/config/load.js";
import type { OpsbotError } from "../../src/lib/errors.js";
import { tempDir } from "../support/temp.js";

function errorOf(fn: () => unknown): OpsbotError {
  try {
    fn();
  } catch (err) {
    return err as OpsbotError;
  }
  throw new Error("expected an error");
}

describe("config file", () => {
  it("parses a valid config, applying defaults and ${VAR} references", () => {
    const config = parseConfig(
      `
roles:
  admin: [alice, U012ABC]
devices:
  - name: core-sw1
    host: 10.0.0.1
    tags: [core, uplink]
    snmp: { community: "\${SNMP_COMMUNITY}" }
`,
      "opsbot.yaml",
      { SNMP_COMMUNITY: "s3cret-ro" },
    );
    expect(config.devices[0]?.snmp).toMatchObject({
      community: "s3cret-ro",
      port: 161,
      version: "2c",
      max_repetitions: 25,
    });
    expect(config.polling.schedule).toBe("*/5 * * * *");
    expect(config.roles.admin).toEqual(["alice", "U012ABC"]);
  });

  it("names the file, line, key path and expectation for a wrong type", () => {
    const err = errorOf(() =>
      parseConfig(
        `devices:
  - name: core-sw1
    host: 10.0.0.1
    snmp:
      port: "one-six-one"
      community: public
`,
        "opsbot.yaml",
        {},
      ),
    );
    expect(err.code).toBe("CONFIG_INVALID");
    expect(err.message).toBe("opsbot.yaml has a problem.");
    expect(err.details).toEqual(['opsbot.yaml:5:7 devices[0].snmp.port: expected number, got "one-six-one"']);
  });

  it("reports every problem at once, including cross-field rules", () => {
    const err = errorOf(() =>
      parseConfig(
        `devices:
  - { name: a, host: h1, snmp: { version: "3" } }
  - { name: a, host: h2, colour: blue }
polling: { concurrency: 0 }
`,
        "f.yaml",
        {},
      ),
    );
    expect(err.details).toHaveLength(4);
    expect(err.details.join("\n")).toMatch(/f\.yaml:2:\d+ devices\[0\]\.snmp\.v3: required for version 3/);
    expect(err.details.join("\n")).toMatch(/devices\[1\]: unknown key "colour"/);
    expect(err.details.join("\n")).toMatch(/devices\[1\]\.name: duplicate device name/);
    expect(err.details.join("\n")).toMatch(/f\.yaml:4:\d+ polling\.concurrency:/);
  });

  it("reports an unset environment variable with its key path, and honours defaults and $${ escapes", () => {
    const err = errorOf(() => parseConfig(`secrets: ["\${NOPE}"]`, "f.yaml", {}));
    expect(err.details).toEqual([
      "f.yaml:1:11 secrets[0]: environment variable NOPE is not set (put it in .env or the environment)",
    ]);
    const config = parseConfig(`secrets: ["\${NOPE:-fallback}", "$\${LITERAL}"]`, "f.yaml", {});
    expect(config.secrets).toEqual(["fallback", "${LITERAL}"]);
  });

  it("reports YAML syntax errors with a line", () => {
    const err = errorOf(() => parseConfig("roles:\n  admin: [alice\n", "bad.yaml", {}));
    expect(err.message).toBe("bad.yaml is not valid YAML.");
    expect(err.details[0]).toMatch(/^bad\.yaml:\d+:\d+: /);
  });

  describe("files", () => {
    const dir = tempDir();
    afterAll(() => dir.cleanup());

    it("explains a missing file in one sentence with the fix", () => {
      const err = errorOf(() => loadConfigFile(join(dir.path, "nope.yaml"), {}));
      expect(err.code).toBe("CONFIG_UNREADABLE");
      expect(err.message).toMatch(
        /^Cannot read the config file .*nope\.yaml: it does not exist\. Copy opsbot\.example\.yaml/,
      );
    });

    it("explains a path that cannot be read as a file", () => {
      const err = errorOf(() => loadConfigFile(dir.path, {}));
      expect(err.code).toBe("CONFIG_UNREADABLE");
      expect(err.message).toMatch(/EISDIR/);
    });

    it("loads the shipped example config", () => {
      const config = loadConfigFile("opsbot.example.yaml", {
        SNMP_COMMUNITY: "x",
        SNMP_V3_AUTH: "authpass1",
        SNMP_V3_PRIV: "privpass1",
      });
      expect(config.devices.length).toBeGreaterThan(0);
    });
  });
});

/** A config listing n devices in block style; `edit` may replace device i's lines. */
function fleetYaml(n: number, edit: (i: number) => string[] | undefined = () => undefined): string {
  const lines = ["sources:", "  prometheus:", "    url: http://127.0.0.1:9090", "devices:"];
  for (let i = 0; i < n; i++)
    lines.push(
      ...(edit(i) ?? [
        `  - name: sw${i}`,
        `    host: sw${i}.example.net`,
        "    via: prometheus",
        `    tags: [access, floor-${i % 7}]`,
      ]),
    );
  return `${lines.join("\n")}\n`;
}

describe("a config with a large device list", () => {
  const N = 3000;

  it("parses every device with its defaults", () => {
    const config = parseConfig(fleetYaml(N), "fleet.yaml", {});
    expect(config.devices).toHaveLength(N);
    expect(config.devices[2999]).toEqual({
      name: "sw2999",
      host: "sw2999.example.net",
      via: "prometheus",
      tags: ["access", "floor-3"],
    });
    expect(config.sources.prometheus?.device_label).toBe("instance");
  });

  it("a wrong field deep in the list names the device, the field and the line", () => {
    const source = fleetYaml(N, (i) =>
      i === 2345
        ? ["  - name: sw2345", "    host: sw2345", "    snmp: { port: high, community: x }"]
        : undefined,
    );
    const err = errorOf(() => parseConfig(source, "fleet.yaml", {}));
    expect(err.code).toBe("CONFIG_INVALID");
    // 4 header lines + 4 lines per device before it, then the device's third line.
    expect(err.details).toEqual([
      `fleet.yaml:${4 + 2345 * 4 + 3}:13 devices[2345].snmp.port: expected number, got "high"`,
    ]);
  });

  it("a duplicate name and an unknown key late in the list are both reported, each at its device", () => {
    const source = fleetYaml(N, (i) =>
      i === 2998
        ? ["  - name: sw7", "    host: h", "    colour: blue"]
        : i === 2999
          ? ["  - name: sw2999", "    host: h", "    profile: nope"]
          : undefined,
    );
    const err = errorOf(() => parseConfig(source, "fleet.yaml", {}));
    expect(err.details).toEqual([
      `fleet.yaml:${4 + 2998 * 4 + 1}:5 devices[2998]: unknown key "colour" (check the spelling against opsbot.example.yaml)`,
      `fleet.yaml:${4 + 2998 * 4 + 1}:5 devices[2998].name: duplicate device name (also devices[7])`,
      `fleet.yaml:${4 + 2998 * 4 + 3 + 3}:5 devices[2999].profile: no profile "nope" (profiles: none defined)`,
    ]);
  });

  it("an unset variable deep in the list names its key path and line", () => {
    const source = fleetYaml(N, (i) =>
      i === 1500 ? ["  - name: sw1500", "    host: ${SW1500_HOST}"] : undefined,
    );
    const err = errorOf(() => parseConfig(source, "fleet.yaml", {}));
    expect(err.details).toEqual([
      `fleet.yaml:${4 + 1500 * 4 + 2}:5 devices[1500].host: environment variable SW1500_HOST is not set (put it in .env or the environment)`,
    ]);
    expect(parseConfig(source, "fleet.yaml", { SW1500_HOST: "10.0.0.9" }).devices[1500]?.host).toBe(
      "10.0.0.9",
    );
  });

  it("a config using anchors reads the same through the yaml library", () => {
    const source = `x-snmp: &snmp { community: "\${C}" }
devices:
  - { name: a, host: h1, snmp: *snmp }
  - { name: b, host: h2, snmp: *snmp }
`;
    // x-snmp is not a config key: the error (from the Document path) says where.
    const err = errorOf(() => parseConfig(source, "f.yaml", { C: "pub" }));
    expect(err.details).toEqual([
      'f.yaml:1:1 (top level): unknown key "x-snmp" (check the spelling against opsbot.example.yaml)',
    ]);
  });

  it("an anchor aliased more often than the yaml library allows is a config error naming the file", () => {
    const devices = Array.from({ length: 150 }, (_, d) =>
      d === 0 ? "  - { name: d0, host: h0, tags: &t [edge] }" : `  - { name: d${d}, host: h${d}, tags: *t }`,
    );
    const err = errorOf(() => parseConfig(`devices:\n${devices.join("\n")}\n`, "f.yaml", {}));
    expect(err.constructor.name).toBe("ConfigError");
    expect(err.message).toBe(
      "f.yaml cannot be read: Excessive alias count indicates a resource exhaustion attack.",
    );
    expect(err.details[0]).toContain("a YAML anchor is used too often");
    // Fewer aliases read as before.
    const few = parseConfig(`devices:\n${devices.slice(0, 50).join("\n")}\n`, "f.yaml", {});
    expect(few.devices.map((d) => d.tags)).toEqual(Array(50).fill(["edge"]));
  });
});

describe("environment", () => {
  it("uses documented defaults and lets flags win", () => {
    expect(readEnv({})).toMatchObject({
      configPath: "./opsbot.yaml",
      configPathExplicit: false,
      dbPath: "./data/opsbot.db",
      logLevel: "info",
    });
    expect(readEnv({ OPSBOT_CONFIG: "/etc/o.yaml", OPSBOT_DB: "/var/o.db" }, { db: "x.db" })).toMatchObject({
      configPath: "/etc/o.yaml",
      configPathExplicit: true,
      dbPath: "x.db",
    });
  });

  it("treats empty Slack variables as unset", () => {
    expect(readEnv({ SLACK_BOT_TOKEN: " ", SLACK_APP_TOKEN: "xapp-1" }).slack).toEqual({
      appToken: "xapp-1",
    });
  });
});
