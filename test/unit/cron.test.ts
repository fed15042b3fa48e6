import { describe, expect, it } from "vitest";
import { cronMatches, parseCron } from "../../src/lib/cron.js";

describe("cron matching (UTC, 5 fields)", () => {
  it("matches lists, ranges and steps, and reads weekday 7 as Sunday", () => {
    const f = parseCron("*/15 2-3 * 1,6 7");
    expect(cronMatches(f, Date.UTC(2026, 0, 4, 2, 45))).toBe(true); // Sunday 4 Jan, 02:45
    expect(cronMatches(f, Date.UTC(2026, 0, 4, 2, 46))).toBe(false); // not a 15-minute step
    expect(cronMatches(f, Date.UTC(2026, 0, 4, 4, 0))).toBe(false); // hour outside 2-3
    expect(cronMatches(f, Date.UTC(2026, 0, 5, 2, 0))).toBe(false); // Monday
    expect(cronMatches(f, Date.UTC(2026, 1, 1, 2, 0))).toBe(false); // a Sunday in February
  });

  it("rejects expressions without five fields or with a field out of range, naming it", () => {
    expect(() => parseCron("0 2 * *")).toThrow(/not a 5-field cron expression/);
    expect(() => parseCron("0 24 * * *")).toThrow(/bad field "24"/);
    expect(() => parseCron("0 2 * * 6/0")).toThrow(/bad field "6\/0"/);
  });
});
