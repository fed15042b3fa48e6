import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { sshKeyscan } from "../../src/cli/ssh-keyscan.js";
import { type TestCore, testCore } from "../support/core.js";
import { type Sshd, startSshd } from "../support/sshd.js";

let sshd: Sshd;
let core: TestCore;
let configFile: string;

const running = (vlan: number) =>
  `hostname sw1\nsnmp-server community s3cr3t-community RO\ninterface Gi1/0/2\n switchport access vlan ${vlan}\nend\n`;

beforeAll(async () => {
  sshd = await startSshd();
  configFile = join(sshd.fixtureDir, "running-config");
  core = testCore(`
devices:
  - name: sw1
    host: 127.0.0.1
    ssh:
      user: ${sshd.user}
      port: ${sshd.port}
      host_key: "${sshd.hostKeyLine}"
      key_file: ${sshd.clientKeyPath}
    backup:
      command: cat ${configFile}
`);
}, 60_000);

afterAll(async () => {
  core?.cleanup();
  await sshd?.stop();
});

const ask = async (text: string) => {
  const r = await core.ask(text);
  return { outcome: r.outcome, text: replyToPlainText(r.reply) };
};

describe("backup chat commands", { timeout: 60_000 }, () => {
  it("backup now, backups and backup diff answer from the store", async () => {
    expect(await ask("backups sw1")).toMatchObject({
      text: expect.stringContaining("No stored config for sw1 yet."),
    });
    writeFileSync(configFile, running(20));
    expect((await ask("backup now sw1")).text).toMatch(/^sw1: first version stored \(5 lines, /);
    core.clock.advance(3_600_000);
    expect((await ask("backup now SW1")).text).toBe(
      "sw1: config unchanged since the last version; nothing new stored.",
    );
    writeFileSync(configFile, running(30));
    expect((await ask("backup now sw1")).text).toContain("config changed (+1 −1 lines)");

    const list = (await ask("backups sw1")).text;
    expect(list).toContain("2 config versions of sw1");
    expect(list).toMatch(/\n0 \| 2026-01-01 13:00 UTC \| 0s ago \|/);
    expect(list).toMatch(/\n1 \| 2026-01-01 12:00 UTC \| 1h 0m ago \|/);
    expect(list).toContain("Last backup 0s ago: ok");

    const diff = (await ask("backup diff sw1")).text;
    expect(diff).toContain("- switchport access vlan 20");
    expect(diff).toContain("+ switchport access vlan 30");
    expect(diff).toContain("+1 −1 lines");
    expect(diff).not.toContain("s3cr3t-community");
    expect((await ask("backup diff sw1 5")).text).toBe(
      "sw1 has 2 stored versions: nothing 5 back to compare with.",
    );
  });

  it("unknown devices get suggestions; failures say why", async () => {
    const r = await ask("backups sw2");
    expect(r.outcome).toBe("user_error");
    expect(r.text).toContain('No backup profile for "sw2".');
    expect(r.text).toContain("Did you mean sw1?");
    writeFileSync(configFile, "");
    const failed = await ask("backup now sw1");
    expect(failed.text).toContain('Backup of sw1 failed: "cat');
    expect(failed.text).toContain("printed nothing");
    expect((await ask("backups sw1")).text).toMatch(/Backup failing \(once, last ok .*\): /);
  });

  it("opsbot ssh-keyscan prints the line to pin and its fingerprint", async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      expect(await sshKeyscan.run([`127.0.0.1:${sshd.port}`, "--config", join(sshd.dir, "none.yaml")])).toBe(
        0,
      );
    } finally {
      spy.mockRestore();
    }
    const text = out.join("");
    expect(text).toContain(`host_key: "${sshd.hostKeyLine}"`);
    expect(text).toMatch(/#\s+SHA256:\S+ \(ssh-ed25519\)/);
  });
});
