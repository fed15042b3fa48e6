import { describe, expect, it } from "vitest";
import { octetRate, sampleSeconds, uptimeContinuity } from "../../src/management/counters.js";
import { downSince } from "../../src/management/down-since.js";

const FIVE_MIN = 300_000;

describe("uptimeContinuity", () => {
  it("is continuous when sysUpTime advanced with the wall clock", () => {
    expect(uptimeContinuity(1_000_000, 1_030_000, FIVE_MIN)).toBe("continuous");
  });

  it("is restarted when sysUpTime went down", () => {
    expect(uptimeContinuity(1_000_000, 12_000, FIVE_MIN)).toBe("restarted");
  });

  it("is restarted when sysUpTime advanced far less than the wall clock", () => {
    // 10 minutes of uptime before, 1 hour later only 20 minutes: restarted in between.
    expect(uptimeContinuity(60_000, 120_000, 3_600_000)).toBe("restarted");
  });

  it("treats sysUpTime passing 2^32 as its own wrap, not a restart", () => {
    const prev = 2 ** 32 - 10_000; // 100 s before the TimeTicks wrap
    expect(uptimeContinuity(prev, 20_000, FIVE_MIN)).toBe("continuous");
  });

  it("is unknown without both readings", () => {
    expect(uptimeContinuity(null, 10, FIVE_MIN)).toBe("unknown");
    expect(uptimeContinuity(10, undefined, FIVE_MIN)).toBe("unknown");
  });
});

describe("sampleSeconds", () => {
  it("uses the agent's clock when it ran throughout", () => {
    const s = sampleSeconds({ at: 0, uptimeCs: 100 }, { at: 301_500, uptimeCs: 30_100 }, "continuous");
    expect(s).toBe(300);
  });

  it("uses the agent's clock across a TimeTicks wrap", () => {
    const s = sampleSeconds({ at: 0, uptimeCs: 2 ** 32 - 100 }, { at: 5_000, uptimeCs: 300 }, "continuous");
    expect(s).toBe(4);
  });

  it("falls back to the poller's clock", () => {
    expect(sampleSeconds({ at: 0, uptimeCs: null }, { at: 10_000, uptimeCs: 5 }, "unknown")).toBe(10);
  });
});

describe("octetRate", () => {
  it("computes bits per second", () => {
    expect(octetRate(1_000n, 1_000n + 37_500_000n, 64, 300, 1000)).toEqual({
      kind: "rate",
      bps: 1_000_000,
      wrapped: false,
    });
  });

  it("adds 2^32 when a Counter32 wrapped", () => {
    const prev = 2n ** 32n - 1_000n;
    const r = octetRate(prev, 24_000n, 32, 10, 100);
    expect(r).toEqual({ kind: "rate", bps: (25_000 * 8) / 10, wrapped: true });
  });

  it("calls a Counter32 drop a reset when the wrap would exceed the line rate", () => {
    // From 3 GB down to 1 KB on a 10 Mbit/s link in 10 s: cannot be a wrap (that would be ~1 GB in 10 s).
    expect(octetRate(3_000_000_000n, 1_000n, 32, 10, 10)).toEqual({ kind: "reset" });
  });

  it("refuses a Counter32 rate when the link could wrap it more than once", () => {
    // 10 Gbit/s moves 2^32 octets in 3.4 s; five minutes apart the count is unknowable.
    expect(octetRate(0n, 100n, 32, 300, 10_000)).toEqual({ kind: "ambiguous" });
  });

  it("treats a Counter64 that went down as a reset", () => {
    expect(octetRate(2n ** 60n, 5n, 64, 300, 1000)).toEqual({ kind: "reset" });
  });

  it("keeps Counter64 exact above 2^53 and 2^63", () => {
    const prev = 2n ** 64n - 1_000_001n; // beyond both double precision and SQLite INTEGER
    const cur = prev + 1_000_001n;
    const r = octetRate(prev, cur, 64, 8, 100_000);
    expect(r).toEqual({ kind: "rate", bps: 1_000_001, wrapped: false });
  });

  it("reports no interval when no time passed", () => {
    expect(octetRate(0n, 10n, 64, 0, 1000)).toEqual({ kind: "no-interval" });
  });
});

describe("downSince", () => {
  const at = Date.UTC(2026, 0, 1, 12, 0, 0);

  it("is null for a port that is up", () => {
    expect(downSince({ operStatus: "up", lastChangeCs: 500 }, 10_000, at)).toBeNull();
  });

  it("subtracts the time since ifLastChange from the poll time", () => {
    // Up 100 s; the port changed at 40 s, i.e. 60 s ago.
    expect(downSince({ operStatus: "down", lastChangeCs: 4_000 }, 10_000, at)).toBe(at - 60_000);
  });

  it("dates a port down since before the agent started at the agent's start", () => {
    expect(downSince({ operStatus: "down", lastChangeCs: 0 }, 360_000, at)).toBe(at - 3_600_000);
  });

  it("keeps the earlier time when ifLastChange cannot be used", () => {
    const prev = { operStatus: "down" as const, downSince: at - 86_400_000 };
    expect(downSince({ operStatus: "down", lastChangeCs: 50_000 }, 10_000, at, prev)).toBe(prev.downSince);
    expect(downSince({ operStatus: "down", lastChangeCs: 50_000 }, null, at, prev)).toBe(prev.downSince);
  });

  it("dates a port seen going down now at this poll when nothing better is known", () => {
    const prev = { operStatus: "up" as const, downSince: null };
    expect(downSince({ operStatus: "lowerLayerDown", lastChangeCs: 9 }, null, at, prev)).toBe(at);
  });
});
