import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { createAnsibleSource } from "../../src/management/inventory/ansible.js";
import { testCore } from "../support/core.js";
import { tempDir } from "../support/temp.js";

/** The real `ansible-inventory` (Debian ansible-core) reads inventories these tests write. */
const dirs: { cleanup(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

function write(name: string, body: string): string {
  const dir = tempDir();
  dirs.push(dir);
  const path = join(dir.path, name);
  writeFileSync(path, body);
  return path;
}

const YAML_INVENTORY = `
all:
  children:
    network:
      children:
        core:
          hosts:
            core-sw1:
              ansible_host: 10.0.0.1
              opsbot_site: dc1
              opsbot_snmp: { community: core-ro, port: 1161 }
        edge:
          hosts:
            edge-r1:
              ansible_host: 10.0.0.2
              ansible_user: netops
              ansible_port: 2222
              opsbot_profile: edge
              opsbot_snmp:
                community: !vault |
                  $ANSIBLE_VAULT;1.1;AES256
                  62313365396662343061393464336163383764373764613633653634306231386433626436623361
                  6134333665353966363534333632666535333761666131620a663537646436643839616531643561
                  63396265333966386166373632626539326166353965363262633030333630313338646335303630
                  3438626666666137650a353638643435666633633964366338633066623234616432373231333331
                  6564
              opsbot_ssh:
                host_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
    linux:
      hosts:
        web1:
      vars:
        opsbot_platform: linux
`;

const INI_INVENTORY = `
[core]
core-sw1 ansible_host=10.0.0.1 opsbot_site=dc1

[access]
acc-[1:3] opsbot_site=dc2

[switches:children]
core
access

[access:vars]
opsbot_poll_schedule="*/10 * * * *"
`;

describe("Ansible source (real ansible-inventory)", () => {
  it("reads a YAML inventory: nested groups as tags, ansible_* as the SSH target, opsbot_* as settings", async () => {
    const path = write("hosts.yaml", YAML_INVENTORY);
    const listing = await createAnsibleSource({ config: { path, refresh: "1h", timeout: "1m" } }).list();
    const byName = new Map(listing.devices.map((d) => [d.name, d]));
    expect([...byName.keys()]).toEqual(["core-sw1", "edge-r1", "web1"]);
    expect(byName.get("core-sw1")).toMatchObject({
      host: "10.0.0.1",
      site: "dc1",
      tags: ["core", "network"],
      own: { snmp: { community: "core-ro", port: 1161 } },
      source: "ansible",
    });
    expect(byName.get("edge-r1")).toMatchObject({
      host: "10.0.0.2",
      profile: "edge",
      connection: { user: "netops", port: 2222 },
      tags: ["edge", "network"],
    });
    // No ansible_host: the inventory name is the address, as Ansible itself does.
    expect(byName.get("web1")).toMatchObject({ host: "web1", platform: "linux", tags: ["linux"] });
    // A vaulted value is not decrypted, and that is said.
    expect(listing.skipped).toEqual([
      "edge-r1: opsbot_snmp.community is vaulted — opsbot never decrypts Ansible Vault values: give the secret to opsbot by ${VAR} in a profile instead",
    ]);
    expect(JSON.stringify(listing)).not.toContain("$ANSIBLE_VAULT");
  });

  it("reads an INI inventory with host ranges, child groups and group vars", async () => {
    const path = write("hosts.ini", INI_INVENTORY);
    const listing = await createAnsibleSource({ config: { path, refresh: "1h", timeout: "1m" } }).list();
    expect(listing.devices.map((d) => d.name)).toEqual(["acc-1", "acc-2", "acc-3", "core-sw1"]);
    expect(listing.devices[0]).toMatchObject({
      host: "acc-1",
      site: "dc2",
      poll_schedule: "*/10 * * * *",
      tags: ["access", "switches"],
    });
    expect(listing.devices[3]).toMatchObject({ host: "10.0.0.1", site: "dc1", tags: ["core", "switches"] });
  });

  it("fails clearly on an inventory Ansible cannot parse (never an empty fleet)", async () => {
    const path = write("broken.yaml", "all:\n  hosts: [\n");
    const err = await createAnsibleSource({ config: { path, refresh: "1h", timeout: "1m" } })
      .list()
      .catch((e: Error) => e);
    expect((err as Error).message).toContain(`\`ansible-inventory -i ${path} --list\` failed:`);
    expect((err as Error).message).toContain("No inventory was parsed");
  });
});

describe("inventory in the bot", () => {
  const config = (path: string) => `
roles:
  oncall: [alice]
channels:
  admin: "#admin"
profiles:
  edge:
    ssh: { known_hosts: /etc/opsbot/known_hosts, collect: [smart] }
  switches:
    match: { tags: [switches] }
    snmp: { community: sw-ro }
inventory:
  ansible: { path: ${path} }
devices:
  - name: core-sw1
    host: 192.0.2.1
    snmp: { community: yaml-wins }
`;

  it("reports added and removed devices once in the admin channel, and applies them", async () => {
    const path = write("hosts.ini", INI_INVENTORY);
    const core = testCore(config(path));
    dirs.push(core);
    expect((await core.ask("inventory refresh")).outcome).toBe("ok");
    expect(core.chat.posts).toHaveLength(1);
    const first = replyToPlainText(core.chat.posts[0]!.reply);
    expect(first).toContain("Added 3 devices: acc-1 (ansible), acc-2 (ansible), acc-3 (ansible)");
    expect(core.services.fleet!.fleet().devices).toBe(4);
    // The YAML's own device wins over the inventory's.
    expect(core.services.config.devices.find((d) => d.name === "core-sw1")?.host).toBe("192.0.2.1");

    await core.ask("inventory refresh");
    expect(core.chat.posts).toHaveLength(1);

    writeFileSync(path, INI_INVENTORY.replace("acc-[1:3]", "acc-[1:2]"));
    const diff = replyToPlainText((await core.ask("inventory diff")).reply);
    expect(diff).toContain("Removed 1 device: acc-3 (ansible)");
    expect(core.services.fleet!.fleet().devices).toBe(4);
    await core.ask("inventory refresh");
    expect(core.chat.posts).toHaveLength(2);
    expect(replyToPlainText(core.chat.posts[1]!.reply)).toContain(
      "Removed 1 device: acc-3 (ansible). Their change history is kept.",
    );
    expect(core.services.fleet!.fleet().devices).toBe(3);
    await core.ask("inventory refresh");
    expect(core.chat.posts).toHaveLength(2);
  });

  it("refuses a refresh from someone without the role", async () => {
    const path = write("hosts.ini", INI_INVENTORY);
    const core = testCore(config(path));
    dirs.push(core);
    const denied = await core.ask("inventory refresh", "mallory");
    expect(denied.outcome).toBe("denied");
    expect(core.services.config.devices).toHaveLength(1);
  });

  it("inventory check shows where settings come from and a device with no usable settings", async () => {
    const path = write("hosts.yaml", YAML_INVENTORY);
    const core = testCore(config(path));
    dirs.push(core);
    await core.ask("inventory refresh");
    const check = await core.ask("inventory check");
    const out = replyToPlainText(check.reply);
    expect(check.reply.isError).toBe(true);
    expect(out).toContain("3 devices, 1 cannot be polled");
    expect(out).toContain("core-sw1 | yaml | device | — | — | yes");
    expect(out).toContain("edge-r1 | ansible | — | profile edge + device | — | yes");
    expect(out).toContain("web1 | ansible | — | — | — | NO");
    expect(out).toContain("No way to poll: web1 (no snmp, and no ssh with collect)");
    expect(out).toContain("Overridden: core-sw1 from ansible (by yaml)");
    expect(out).toContain("edge-r1: snmp.community: required for version 2c");
    expect(out).toContain("ansible edge-r1: opsbot_snmp.community is vaulted");
  });
});
