import { describe, expect, it } from "vitest";
import { reply, replyToPlainText } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import type { AmListedSilence } from "../../src/management/alertmanager/am-api.js";
import type { AmSilence } from "../../src/management/alertmanager/group-repo.js";
import { matcherText } from "../../src/management/alertmanager/silence-list.js";
import { judgeSilence } from "../../src/management/alertmanager/silence-sync.js";
import { amSilencesSection } from "../../src/management/alertmanager/silences-answer.js";

const bob = { id: "U0BOB0001", name: "bob" };
const ours: AmSilence = { id: "s1", by: bob, at: 1_000, until: 100_000, ended: null };
const listedAs = (over: Partial<AmListedSilence>): Map<string, AmListedSilence> =>
  new Map([
    [
      "s1",
      {
        id: "s1",
        state: "active",
        matchers: [],
        createdBy: "bob (Slack U0BOB0001)",
        comment: "",
        startsAt: 1_000,
        endsAt: 100_000,
        updatedAt: 1_000,
        ...over,
      },
    ],
  ]);

describe("what became of a silence opsbot created (judgeSilence)", () => {
  it("holds while Alertmanager lists it active with the recorded end", () => {
    expect(judgeSilence(ours, listedAs({}), 50_000)).toEqual({ kind: "holds" });
  });

  it("expires when its end passes, by opsbot's clock even if Alertmanager still calls it active", () => {
    expect(judgeSilence(ours, listedAs({}), 100_000)).toEqual({ kind: "ended", at: 100_000, how: "expired" });
    expect(judgeSilence(ours, listedAs({ state: "expired" }), 100_500)).toEqual({
      kind: "ended",
      at: 100_000,
      how: "expired",
    });
  });

  it("expired early in Alertmanager is told apart from a natural expiry", () => {
    expect(judgeSilence(ours, listedAs({ state: "expired", endsAt: 40_000 }), 50_000)).toEqual({
      kind: "ended",
      at: 40_000,
      how: "expired_in_am",
    });
  });

  it("gone from Alertmanager before its end = deleted there; after its end = expired and forgotten", () => {
    expect(judgeSilence(ours, new Map(), 50_000)).toEqual({ kind: "ended", at: 50_000, how: "gone" });
    expect(judgeSilence(ours, new Map(), 200_000)).toEqual({ kind: "ended", at: 100_000, how: "expired" });
  });

  it("an end moved in Alertmanager moves the shown end, also past the recorded one", () => {
    expect(judgeSilence(ours, listedAs({ endsAt: 500_000 }), 50_000)).toEqual({
      kind: "moved",
      until: 500_000,
    });
    expect(judgeSilence(ours, listedAs({ endsAt: 500_000 }), 150_000)).toEqual({
      kind: "moved",
      until: 500_000,
    });
  });

  it("Alertmanager unreadable: only the recorded end decides (never ended for being unreachable)", () => {
    expect(judgeSilence(ours, undefined, 99_999)).toEqual({ kind: "holds" });
    expect(judgeSilence(ours, undefined, 100_000)).toEqual({ kind: "ended", at: 100_000, how: "expired" });
  });
});

describe("silence listing pieces", () => {
  it("writes matchers as amtool does", () => {
    const m = (isEqual: boolean, isRegex: boolean) =>
      matcherText({ name: "instance", value: 'db"1', isEqual, isRegex });
    expect([m(true, false), m(true, true), m(false, false), m(false, true)]).toEqual([
      'instance="db\\"1"',
      'instance=~"db\\"1"',
      'instance!="db\\"1"',
      'instance!~"db\\"1"',
    ]);
  });

  it("never reads as 'no silences' when Alertmanager was not read", () => {
    const plain = (l: Parameters<typeof amSilencesSection>[0]) =>
      replyToPlainText(reply(...amSilencesSection(l, 0).blocks));
    expect(plain({ url: null, error: null, silences: [] })).toContain("alertmanager.api is not configured");
    const down = plain({
      url: "http://am:9093",
      error: "Alertmanager at http://am:9093 did not answer (ECONNREFUSED)",
      silences: [],
    });
    expect(down).toContain("Alertmanager could not be read");
    expect(down).toContain("ECONNREFUSED");
    expect(down).not.toContain("No active silences in Alertmanager");
    expect(plain({ url: "http://am:9093", error: null, silences: [] })).toContain(
      "No active silences in Alertmanager (http://am:9093).",
    );
    expect(amSilencesSection({ url: "http://am:9093", error: "x", silences: [] }, 0).data).toMatchObject({
      readable: false,
      error: "x",
    });
  });

  it("alertmanager.api.interval below 5s is refused with its key", () => {
    const yaml = (interval: string) => `alertmanager:
  bearer_token_env: T
  api: { url: "http://127.0.0.1:9093", interval: ${interval} }
`;
    const problem = (() => {
      try {
        parseConfig(yaml("1s"), "opsbot.yaml", {});
      } catch (err) {
        return (err as { details: string[] }).details.join("\n");
      }
      return "accepted";
    })();
    expect(problem).toMatch(/alertmanager\.api\.interval.*at least 5s/);
    expect(parseConfig(yaml("30s"), "opsbot.yaml", {}).alertmanager?.api?.interval).toBe("30s");
  });
});
