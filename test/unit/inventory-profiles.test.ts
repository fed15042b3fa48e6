import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { type CandidateDevice, resolveDevice } from "../../src/config/profiles.js";
import { mergeInventory } from "../../src/management/inventory/merge.js";

const config = parseConfig(
  `
profiles:
  everyone:
    match: {}
    snmp: { community: "\${RO_ALL}" }
  dc1-switches:
    match: { site: dc1, role: access }
    snmp: { community: dc1-ro, port: 1161 }
  dc1:
    match: { site: dc1 }
    snmp: { community: dc1-only }
    ssh: { user: netops, known_hosts: /etc/opsbot/known_hosts }
  linux:
    match: { platform: linux, tags: [web] }
    ssh: { user: ops, known_hosts: /etc/opsbot/known_hosts, collect: [smart] }
    backup: { command: "cat /etc/nginx/nginx.conf" }
  fallback-ssh:
    match: {}
    ssh: { user: fallback, known_hosts: /etc/opsbot/known_hosts }
  also-everyone:
    match: {}
    snmp: { community: never-chosen }
  cisco-cli:
    snmp: { community: cisco-ro }
    ssh: { user: cisco, known_hosts: /etc/opsbot/known_hosts, shell: none }
devices:
  - name: yaml-sw
    host: 10.9.9.9
    site: dc1
    role: access
    snmp: { community: own-secret }
`,
  "opsbot.yaml",
  { RO_ALL: "ro-all" },
);

const device = (over: Partial<CandidateDevice>): CandidateDevice => ({
  name: "d1",
  host: "10.0.0.1",
  tags: [],
  own: {},
  source: "netbox",
  ...over,
});

describe("credential profiles", () => {
  it("takes each block from the most specific matching profile", () => {
    const r = resolveDevice(device({ site: "dc1", role: "access" }), config.profiles);
    expect(r.settings).toEqual({ snmp: "profile dc1-switches", ssh: "profile dc1" });
    expect(r.device?.snmp).toMatchObject({ community: "dc1-ro", port: 1161 });
    expect(r.device?.ssh).toMatchObject({ user: "netops" });
    expect(r.pollable).toBe(true);
  });

  it("falls back to a profile without match, and ties go to the earlier profile", () => {
    const r = resolveDevice(device({ site: "dc2" }), config.profiles);
    // "everyone" and "also-everyone" both match everything; "everyone" comes first in the file.
    expect(r.settings.snmp).toBe("profile everyone");
    expect(r.device?.snmp?.community).toBe("ro-all");
    // cisco-cli has no match: it applies only to devices that name it.
    expect(r.settings.ssh).toBe("profile fallback-ssh");
  });

  it("puts a profile the device names before any match", () => {
    const r = resolveDevice(device({ site: "dc1", role: "access", profile: "cisco-cli" }), config.profiles);
    expect(r.settings).toEqual({ snmp: "profile cisco-cli", ssh: "profile cisco-cli" });
    expect(r.device?.ssh?.shell).toBe("none");
  });

  it("lets the device's own keys win key by key, and a connection user only fill an ssh block", () => {
    const r = resolveDevice(
      device({
        tags: ["web"],
        platform: "linux",
        own: { ssh: { host_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOM" } },
        connection: { user: "deploy", port: 2222 },
      }),
      config.profiles,
    );
    expect(r.settings.ssh).toBe("profile linux + device");
    expect(r.device?.ssh).toMatchObject({
      user: "deploy",
      port: 2222,
      collect: ["smart"],
      known_hosts: "/etc/opsbot/known_hosts",
    });
    expect(r.device?.ssh?.host_key).toMatch(/^ssh-ed25519/);
    expect(r.settings.backup).toBe("profile linux");
  });

  it("keeps the YAML device's own block whole and its name over a source's", () => {
    const merged = mergeInventory(config, [
      {
        source: "netbox",
        devices: [device({ name: "YAML-SW", host: "10.1.1.1", site: "dc1" }), device({ name: "nb-1" })],
      },
    ]);
    const sw = merged.devices.find((d) => d.name === "yaml-sw")!;
    expect(sw.host).toBe("10.9.9.9");
    expect(sw.snmp?.community).toBe("own-secret");
    expect(merged.sourceOf.get("yaml-sw")).toBe("yaml");
    expect(merged.shadowed).toEqual([{ name: "YAML-SW", source: "netbox", by: "yaml" }]);
    expect(merged.devices.map((d) => d.name)).toEqual(["yaml-sw", "nb-1"]);
  });

  it("reports a device with no usable settings, naming the setting and its origin", () => {
    const bare = parseConfig(
      "profiles:\n  half:\n    match: { tags: [lab] }\n    ssh: { user: ops }\n",
      "x.yaml",
      {},
    );
    const r = resolveDevice(device({ name: "lab-1", tags: ["lab"], profile: "missing" }), bare.profiles);
    expect(r.pollable).toBe(false);
    expect(r.settings).toEqual({});
    expect(r.problems).toContain('profile: "missing" is not defined under profiles');
    expect(
      r.problems.some(
        (p) => p.startsWith("ssh.host_key: pin the host key") && p.endsWith("(from profile half)"),
      ),
    ).toBe(true);
    expect(r.device?.name).toBe("lab-1");
  });

  it("refuses a device name opsbot cannot use, and a bad poll schedule", () => {
    const spaced = resolveDevice(device({ name: "core switch 1" }), {});
    expect(spaced.device).toBeUndefined();
    expect(spaced.problems[0]).toMatch(/^device\.name: a name of letters/);
    const sched = resolveDevice(device({ poll_schedule: "every minute" }), config.profiles);
    expect(sched.device?.poll_schedule).toBeUndefined();
    expect(sched.problems[0]).toMatch(/poll_schedule: "every minute" is not a cron expression/);
  });

  it("rejects a YAML device naming an unknown profile at load", () => {
    expect(() =>
      parseConfig("devices:\n  - { name: a, host: h, profile: nope }\n", "opsbot.yaml", {}),
    ).toThrow(/problem/);
  });
});
