import { describe, expect, it } from "vitest";
import type { DeviceConfig } from "../../src/config/schema.js";
import { deviceSchema } from "../../src/config/schema.js";
import { OpsbotError } from "../../src/lib/errors.js";
import { remoteCommand } from "../../src/lib/ssh/remote-command.js";
import { TailBuffer } from "../../src/lib/ssh/tail-buffer.js";
import { sshTargetFor } from "../../src/lib/ssh/target.js";

describe("TailBuffer", () => {
  it("keeps everything under the cap", () => {
    const b = new TailBuffer(10);
    b.push(Buffer.from("abc"));
    b.push(Buffer.from("def"));
    expect(b.toString()).toBe("abcdef");
    expect(b.truncated).toBe(false);
  });

  it("drops the head, keeps the last bytes", () => {
    const b = new TailBuffer(5);
    for (const c of ["12345", "678", "9"]) b.push(Buffer.from(c));
    expect(b.toString()).toBe("56789");
    expect(b.truncated).toBe(true);
    b.push(Buffer.from("abcdefgh"));
    expect(b.toString()).toBe("defgh");
  });

  it("an output exactly at the cap is not truncated", () => {
    const b = new TailBuffer(4);
    b.push(Buffer.from("abcd"));
    expect(b.truncated).toBe(false);
    expect(b.toString()).toBe("abcd");
  });

  it("never starts with half a UTF-8 character", () => {
    const b = new TailBuffer(5);
    b.push(Buffer.from("xxé€!")); // é = 2 bytes, € = 3 bytes; the last 5 bytes cut é in half
    expect(b.toString()).toBe("€!");
  });
});

describe("remoteCommand", () => {
  it("sends commands verbatim to non-posix targets", () => {
    expect(remoteCommand("show running-config", "none", 5000)).toBe("show running-config");
  });

  it("quotes the command once and execs it as sh -c after forking the watchdog", () => {
    const line = remoteCommand("echo 'hi'; exit 3", "posix", 1500);
    expect(line).toMatch(/^exec 3<&0 <\/dev\/null; \{ /);
    expect(line).toMatch(/ >\/dev\/null 2>&1 & exec 3<&-; exec sh -c 'echo '\\''hi'\\''; exit 3'$/);
    // Nothing between the login shell and the command: no `timeout`, no waiting shell.
    expect(line).not.toMatch(/exec timeout/);
  });

  it("keeps the remote deadline in the watchdog: the local limit rounded up plus 2 s, TERM then KILL", () => {
    const line = remoteCommand("uptime", "posix", 1500);
    expect(line).toContain("read -t 4 -r _ <&3;");
    expect(line).toContain("timeout 4 cat <&3;");
    expect(line).toContain("kill -TERM 0 && sleep 5;");
    expect(line).toContain("kill -0 $$ && kill -KILL 0;");
  });

  it("without a time limit keeps only the channel watchdog", () => {
    for (const limit of [0, undefined]) {
      const line = remoteCommand("uptime", "posix", limit);
      expect(line).not.toContain("timeout");
      expect(line).not.toContain("read -t");
      expect(line).toContain("{ read -r _ <&3; kill -0 $$ && kill -KILL 0; }");
      expect(line.endsWith("exec sh -c 'uptime'")).toBe(true);
    }
  });
});

describe("sshTargetFor", () => {
  const device = (ssh: Record<string, unknown>): DeviceConfig =>
    deviceSchema.parse({ name: "web1", host: "10.0.0.5", ssh: { user: "ops", ...ssh } });

  it("maps the config section with its defaults", () => {
    const t = sshTargetFor(device({ host_key: "ssh-ed25519 AAAA", key_file: "/k" }), {});
    expect(t).toEqual({
      name: "web1",
      host: "10.0.0.5",
      port: 22,
      user: "ops",
      hostKey: "ssh-ed25519 AAAA",
      keyFile: "/k",
      shell: "posix",
      connectTimeoutMs: 10_000,
      keepalive: { intervalMs: 15_000, countMax: 3 },
      commandTimeoutMs: 60_000,
      maxOutputBytes: 1_048_576,
    });
  });

  it("reads the passphrase from the named variable, and says which one is missing", () => {
    const d = device({ known_hosts: "/kh", key_file: "/k", passphrase_env: "WEB_KEY_PASS" });
    expect(sshTargetFor(d, { WEB_KEY_PASS: "s3cret" }).passphrase).toBe("s3cret");
    try {
      sshTargetFor(d, {});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OpsbotError);
      expect((err as OpsbotError).details.join()).toContain("WEB_KEY_PASS");
    }
  });

  it("refuses a device without an ssh section", () => {
    expect(() => sshTargetFor(deviceSchema.parse({ name: "sw1", host: "10.0.0.1" }), {})).toThrow(
      /no ssh section/,
    );
  });
});
