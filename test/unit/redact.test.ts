import { describe, expect, it } from "vitest";
import { REDACTED, Redactor } from "../../src/lib/redact.js";
import { redactSecretKeys } from "../../src/lib/redact-keys.js";
import { weakSecretWarnings } from "../../src/lib/weak-secrets.js";
import { createOutputPipe } from "../../src/orchestration/output.js";

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("Redactor: names are never corrupted", () => {
  it("a short secret inside a name stays; the same secret as a word is redacted", () => {
    const r = new Redactor(["idrac"]);
    expect(r.redact("srv-idrac is down")).toBe("srv-idrac is down");
    expect(r.redact("idrac.example.com and idrac_web")).toBe("idrac.example.com and idrac_web");
    expect(r.redact("community idrac rejected by srv-idrac.")).toBe(
      `community ${REDACTED} rejected by srv-idrac.`,
    );
    expect(r.redact("auth with 'idrac', then idrac.")).toBe(`auth with '${REDACTED}', then ${REDACTED}.`);
  });

  it("a configured name is kept whole even when a long secret is inside it", () => {
    const r = new Redactor(["corpsecret2024"], ["edge-corpsecret2024-01"]);
    expect(r.redact("edge-corpsecret2024-01 uses corpsecret2024")).toBe(
      `edge-corpsecret2024-01 uses ${REDACTED}`,
    );
    // Names given per call (the port and device an alert is about) are kept too.
    const s = new Redactor(["longsecretvalue"]);
    expect(s.redact("port xlongsecretvalue down; key longsecretvalue", ["xlongsecretvalue"])).toBe(
      `port xlongsecretvalue down; key ${REDACTED}`,
    );
  });

  it("keeps every encoded form it redacted before", () => {
    const secret = "tok/en+S3cret=value";
    const r = new Redactor([secret]);
    const forms = [
      secret,
      b64(secret),
      b64(secret).replace(/=+$/, ""),
      Buffer.from(secret).toString("base64url"),
      encodeURIComponent(secret),
      b64(`x${secret}y`),
      b64(`xx${secret}`),
    ];
    for (const f of forms) expect(r.redact(`<${f}>`)).not.toContain(secret.slice(0, 8));
    for (const f of forms.slice(1)) expect(r.redact(`a ${f} b`)).not.toContain(f.slice(2, 14));
  });

  it("redacts the hex and line-wrapped base64 forms of a known secret", () => {
    const secret = "hunter2-is-the-password-of-the-century";
    const r = new Redactor([secret]);
    const hex = Buffer.from(secret).toString("hex");
    expect(r.redact(`dump ${hex} end`)).toBe(`dump ${REDACTED} end`);
    expect(r.redact(`DUMP ${hex.toUpperCase()}`)).toBe(`DUMP ${REDACTED}`);
    // xxd -p wraps at 60 columns, base64 at 76.
    const wrappedHex = hex.match(/.{1,60}/g)!.join("\n");
    expect(r.redact(wrappedHex)).not.toContain(hex.slice(0, 20));
    const blob = b64(`${"x".repeat(50)}${secret}${"y".repeat(50)}`);
    const wrapped = blob.match(/.{1,76}/g)!.join("\n");
    expect(wrapped.split("\n").some((l) => l.length === 76)).toBe(true);
    const out = r.redact(wrapped);
    expect(out).toContain(REDACTED);
    const inner = b64(`xx${secret}`).slice(4, 24);
    expect(out.replace(/\n/g, "")).not.toContain(inner);
  });
});

describe("values of secret-looking keys are redacted whatever they are", () => {
  it.each([
    ['{"user": "bob", "password": "s3cr3t!x"}', `{"user": "bob", "password": "${REDACTED}"}`],
    ['{"db": {"api_key":"AKIA12345"}}', `{"db": {"api_key":"${REDACTED}"}}`],
    ["password: hunter2 and more", `password: ${REDACTED}`],
    ["  client_secret: 'abc def'", `  client_secret: '${REDACTED}'`],
    ["DB_PASSWORD=topsecret ./start", `DB_PASSWORD=${REDACTED} ./start`],
    ["curl https://x/api?token=abc123&page=2", `curl https://x/api?token=${REDACTED}&page=2`],
    ["Authorization: Bearer eyJhbGciOi.xyz", `Authorization: ${REDACTED}`],
    ["X-Auth-Token: 0f0f0f", `X-Auth-Token: ${REDACTED}`],
    ["passwd=x", `passwd=${REDACTED}`],
  ])("%s", (input, expected) => {
    expect(new Redactor().redact(input)).toBe(expected);
  });

  it("keeps keys that name where a secret lives, and ordinary text", () => {
    for (const keep of [
      "passphrase_env: SSH_KEY_PASS",
      "token_file=/etc/opsbot/token",
      "host=web09 port=22 user=admin",
      "device srv-idrac: 3 ports up",
    ]) {
      expect(redactSecretKeys(keep)).toBe(keep);
    }
  });

  it("redacts private key blocks, also one cut short", () => {
    const key =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAA\n-----END OPENSSH PRIVATE KEY-----";
    expect(new Redactor().redact(`before\n${key}\nafter`)).toBe(
      `before\n-----BEGIN OPENSSH PRIVATE KEY-----\n${REDACTED}\n-----END OPENSSH PRIVATE KEY-----\nafter`,
    );
    expect(new Redactor().redact("-----BEGIN RSA PRIVATE KEY-----\nMIIEow")).not.toContain("MIIEow");
  });
});

describe("step output pipe", () => {
  it("holds base64 lines so a wrapped secret split across writes is still redacted", () => {
    const secret = "wrapped-secret-0123456789-abcdefghij";
    const lines = b64(`${"p".repeat(40)}${secret}${"q".repeat(40)}`).match(/.{1,76}/g)!;
    const out: string[] = [];
    const pipe = createOutputPipe(new Redactor([secret]), (t) => out.push(t));
    for (const l of lines) pipe.write(`${l}\n`, "stdout");
    pipe.write("done\n", "stdout");
    pipe.flush(true);
    const all = out.join("");
    expect(all).toContain(REDACTED);
    expect(all.endsWith("done\n")).toBe(true);
    expect(all.replace(/\n/g, "")).not.toContain(b64(`xx${secret}`).slice(4, 30));
  });
});

describe("weak secrets are named at config load", () => {
  it("names the key of a short, well-known or name-colliding secret, never its value", () => {
    const warnings = weakSecretWarnings(
      [
        { key: "devices[0] (srv-idrac).snmp.community", value: "idrac" },
        { key: "devices[1] (sw1).snmp.community", value: "public" },
        { key: "secrets[0]", value: "a-long-random-value-9f8e7d" },
        { key: "devices[2] (x).snmp.v3.auth_key", value: "datacenter-east" },
      ],
      ["srv-idrac", "sw1", "core-datacenter-east-1"],
    );
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(
      /^weak secret in devices\[0\] \(srv-idrac\)\.snmp\.community: .*shorter than 8/,
    );
    expect(warnings[0]).toContain("part of a configured device, site or tag name");
    expect(warnings[1]).toContain("well-known default");
    expect(warnings[2]).toContain("devices[2] (x).snmp.v3.auth_key");
    for (const w of warnings) {
      expect(w).not.toContain("public");
      expect(w).not.toContain("datacenter-east");
    }
  });
});
