import { describe, expect, it } from "vitest";
import type { AmListedSilence } from "../../src/management/alertmanager/am-api.js";
import { looksLikeSilenceId, pickSilence } from "../../src/management/alertmanager/silence-pick.js";

/** `unsilence ID`: which of Alertmanager's silences a typed id or prefix names. */
const NOW = Date.parse("2026-12-02T12:00:00Z");
const silence = (id: string, state: AmListedSilence["state"], endsAt = NOW + 3_600_000): AmListedSilence => ({
  id,
  state,
  matchers: [{ name: "alertname", value: "DiskFull", isRegex: false, isEqual: true }],
  createdBy: "amtool",
  comment: "",
  startsAt: NOW - 60_000,
  endsAt,
  updatedAt: null,
});
const LIST = [
  silence("0f3c2a9e-1111-4d6e-9b1a-5c1f0e2d7a01", "active"),
  silence("0f3c7b00-2222-4d6e-9b1a-5c1f0e2d7a02", "pending"),
  silence("a1b2c3d4-3333-4d6e-9b1a-5c1f0e2d7a03", "expired", NOW - 1000),
  silence("9e9e9e9e-4444-4d6e-9b1a-5c1f0e2d7a04", "active"),
];

describe("unsilence by Alertmanager silence id", () => {
  it("takes the whole id, any case, or a prefix only one active or pending silence starts with", () => {
    expect(pickSilence(LIST, "0F3C2A9E-1111-4D6E-9B1A-5C1F0E2D7A01", NOW).id).toBe(LIST[0]!.id);
    expect(pickSilence(LIST, "0f3c2", NOW).id).toBe(LIST[0]!.id);
    expect(pickSilence(LIST, "0f3c7", NOW).id).toBe(LIST[1]!.id);
    expect(pickSilence(LIST, " 9e9e ", NOW).id).toBe(LIST[3]!.id);
  });

  it("says ambiguous (naming each), unknown, already ended and too short in words", () => {
    expect(() => pickSilence(LIST, "0f3c", NOW)).toThrow(
      '"0f3c" starts 2 active Alertmanager silences; give more of the id. Nothing was ended.',
    );
    try {
      pickSilence(LIST, "0f3c", NOW);
    } catch (err) {
      expect((err as { details: string[] }).details).toEqual([
        `${LIST[0]!.id} (alertname="DiskFull"; by amtool)`,
        `${LIST[1]!.id} (alertname="DiskFull"; by amtool)`,
      ]);
    }
    expect(() => pickSilence(LIST, "ffff", NOW)).toThrow(
      'Alertmanager has no silence whose id starts with "ffff".',
    );
    expect(() => pickSilence(LIST, "a1b2c3", NOW)).toThrow(
      /^Alertmanager silence a1b2c3d4-3333-4d6e-9b1a-5c1f0e2d7a03 already ended at .*; nothing to end\.$/,
    );
    // Still "active" in the list but its end has passed: ended too.
    expect(() => pickSilence([silence("bbbb0000", "active", NOW)], "bbbb", NOW)).toThrow(/already ended/);
    expect(() => pickSilence(LIST, "0f3", NOW)).toThrow(/too short/);
  });

  it("reads a number as opsbot's own silence id, and hex with a letter or dash as Alertmanager's", () => {
    expect(looksLikeSilenceId("12")).toBe(false);
    expect(looksLikeSilenceId("12345678")).toBe(false);
    expect(looksLikeSilenceId("12345678-")).toBe(true);
    expect(looksLikeSilenceId("0f3c2a9e")).toBe(true);
    expect(looksLikeSilenceId("am:4")).toBe(false);
    expect(looksLikeSilenceId("core-sw1")).toBe(false);
  });
});
