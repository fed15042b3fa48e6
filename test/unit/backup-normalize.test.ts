import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/lib/redact.js";
import {
  BUILTIN_MASKS,
  compilePatterns,
  MASK,
  maskAll,
  normalizeConfig,
} from "../../src/management/backups/normalize.js";

const builtin = compilePatterns(BUILTIN_MASKS);

describe("normalizeConfig", () => {
  it("drops ignored lines, trailing blanks and whitespace, and CRLF, so cosmetic noise hashes the same", () => {
    const ignoreLines = compilePatterns(["^! Last configuration change", "^ntp clock-period"]);
    const a = normalizeConfig(
      "hostname sw1\r\n! Last configuration change at 02:00\r\nntp clock-period 17\r\nend  \r\n\r\n",
      {
        ignoreLines,
        masks: [],
      },
    );
    const b = normalizeConfig(
      "hostname sw1\n! Last configuration change at 03:17\nntp clock-period 99\nend\n",
      {
        ignoreLines,
        masks: [],
      },
    );
    expect(a.content).toBe("hostname sw1\nend\n");
    expect(a.sha256).toBe(b.sha256);
    expect(a).toMatchObject({ lines: 2, sizeBytes: 17 });
  });

  it("masks secrets of common vendors with the built-in patterns, keeping the keywords", () => {
    const raw = [
      "enable secret 9 $9$mYs3cr3tHashValue$abcdef",
      "username admin privilege 15 secret 5 $1$xyz$abc",
      " ip ospf message-digest-key 1 md5 7 0822455D0A16",
      "snmp-server community s3cr3t-community RO",
      "tacacs-server host 10.0.0.9 key 7 045802150C2E",
      'set system root-authentication encrypted-password "$6$salt$hash"',
      "service password-encryption",
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "b3BlbnNzaC1rZXktdjEAAAAA",
      "-----END OPENSSH PRIVATE KEY-----",
    ].join("\n");
    const out = normalizeConfig(raw, { ignoreLines: [], masks: builtin }).content;
    expect(out).toBe(
      [
        `enable secret 9 ${MASK}`,
        `username admin privilege 15 secret 5 ${MASK}`,
        ` ip ospf message-digest-key 1 md5 7 ${MASK}`,
        `snmp-server community ${MASK} RO`,
        `tacacs-server host 10.0.0.9 key 7 ${MASK}`,
        `set system root-authentication encrypted-password "${MASK}"`,
        "service password-encryption",
        MASK,
        "",
      ].join("\n"),
    );
  });

  it("applies configured patterns and secret values too", () => {
    const out = normalizeConfig("api_token = abc123XYZ\nbackup_pass hunter2hunter2\n", {
      ignoreLines: [],
      masks: compilePatterns(["api_token = (\\S+)"]),
      redactor: new Redactor(["hunter2hunter2"]),
    }).content;
    expect(out).toBe(`api_token = ${MASK}\nbackup_pass [redacted]\n`);
  });
});

describe("maskAll", () => {
  it("masks the whole match without groups, and survives patterns that match nothing", () => {
    expect(maskAll("a token-123 b", /token-\d+/g)).toBe(`a ${MASK} b`);
    expect(maskAll("abc", /x*/g)).toBe("abc");
    expect(maskAll("k1=v1 k2=v2", /(k\d)=(v\d)/g)).toBe(`${MASK}=${MASK} ${MASK}=${MASK}`);
  });
});
