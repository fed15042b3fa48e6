import { Cron } from "croner";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { cronMatches, cronProblem, nextCronRuns } from "../../src/lib/cron.js";
import { activeWindow, isOpen } from "../../src/management/alerts/maintenance.js";
import { registrationsFromConfig } from "../../src/management/schedule.js";

const U = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min);

describe("one cron dialect (croner, crontab(5) semantics)", () => {
  it("matches lists, ranges and steps, and reads weekday 7 as Sunday", () => {
    const e = "*/15 2-3 * 1,6 7";
    expect(cronMatches(e, U(2026, 1, 4, 2, 45))).toBe(true); // Sunday 4 Jan, 02:45
    expect(cronMatches(e, U(2026, 1, 4, 2, 46))).toBe(false); // not a 15-minute step
    expect(cronMatches(e, U(2026, 1, 4, 4, 0))).toBe(false); // hour outside 2-3
    expect(cronMatches(e, U(2026, 1, 5, 2, 0))).toBe(false); // Monday
    expect(cronMatches(e, U(2026, 2, 1, 2, 0))).toBe(false); // a Sunday in February
  });

  it("understands names, nicknames, L and #, which the old window parser rejected", () => {
    expect(cronMatches("0 2 * * MON", U(2026, 12, 7, 2))).toBe(true); // Monday 7 Dec
    expect(cronMatches("0 2 * JAN-MAR SAT", U(2026, 1, 3, 2))).toBe(true);
    expect(cronMatches("@daily", U(2026, 12, 7, 0, 0))).toBe(true);
    expect(cronMatches("@daily", U(2026, 12, 7, 1, 0))).toBe(false);
    expect(cronMatches("0 3 L * *", U(2026, 2, 28, 3))).toBe(true); // last day of February
    expect(cronMatches("0 3 L * *", U(2026, 2, 27, 3))).toBe(false);
    expect(cronMatches("0 4 * * 1#1", U(2026, 12, 7, 4))).toBe(true); // first Monday
    expect(cronMatches("0 4 * * 1#1", U(2026, 12, 14, 4))).toBe(false);
  });

  it("ORs day-of-month with day-of-week when both are restricted, as crontab(5) does", () => {
    const e = "0 5 1 * MON";
    expect(cronMatches(e, U(2026, 12, 1, 5))).toBe(true); // the 1st, a Tuesday
    expect(cronMatches(e, U(2026, 12, 7, 5))).toBe(true); // a Monday, not the 1st
    expect(cronMatches(e, U(2026, 12, 2, 5))).toBe(false);
  });

  it("reads an expression in the configured time zone", () => {
    expect(cronMatches("0 9 * * *", U(2026, 12, 7, 8), "Europe/Berlin")).toBe(true);
    expect(cronMatches("0 9 * * *", U(2026, 12, 7, 8))).toBe(false);
    expect(nextCronRuns("0 2 * * *", 1, U(2026, 12, 7, 12), "America/New_York")).toEqual([U(2026, 12, 8, 7)]);
  });

  it("UTC (read as a fixed offset, no Intl per date) gives croner's UTC-zone times, whatever the machine's zone", () => {
    const exprs = [
      "*/5 * * * *",
      "0 9-17 * * 1-5",
      "@daily",
      "0 0 L * *",
      "0 2 * * 1#1",
      "30 4 1,15 * 5",
      "0 0 29 2 *",
    ];
    const froms = [
      U(2026, 3, 29, 0),
      U(2026, 10, 25, 1),
      U(2027, 2, 28, 23),
      ...Array.from({ length: 4 }, (_, i) => U(2025, 1, 1) + i * 7_889_400_017),
    ];
    const machine = process.env.TZ;
    try {
      for (const tz of ["America/New_York", "Asia/Kolkata"]) {
        process.env.TZ = tz;
        for (const e of exprs) {
          const reference = new Cron(e, {
            paused: true,
            timezone: "UTC",
            mode: e.startsWith("@") ? "auto" : "5-or-6-parts",
            domAndDow: false,
          });
          for (const from of froms) {
            const expected = reference.nextRuns(5, new Date(from)).map((d) => d.getTime());
            expect(nextCronRuns(e, 5, from)).toEqual(expected);
            expect(cronMatches(e, expected[0]!)).toBe(true);
            expect(cronMatches(e, expected[0]! + 60_000)).toBe(
              reference.match(new Date(expected[0]! + 60_000)),
            );
          }
        }
      }
    } finally {
      if (machine === undefined) delete process.env.TZ;
      else process.env.TZ = machine;
    }
  });

  it("names what is wrong with a bad expression", () => {
    expect(cronProblem("0 2 * *")).toMatch(/"0 2 \* \*" is not a cron expression \(it needs 5 fields/);
    expect(cronProblem("0 24 * * *")).toMatch(/hour: 24/);
    expect(cronProblem("0 2 * * 6/0")).toMatch(/6\/0/);
  });
});

describe("every schedule speaks it", () => {
  it("maintenance windows: @daily, names, L and # open and close on time, in the configured zone", () => {
    const config = parseConfig(
      `
timezone: Europe/Berlin
alerts:
  maintenance:
    - { name: nightly, cron: "@daily", duration: 1h }
    - { name: patch, cron: "30 2 * * 2#2", duration: 2h, tags: [core] }
    - { name: month-end, cron: "0 22 L * *", duration: 1h, sites: [ams] }
    - { name: weekend, cron: "0 1 * * SAT,SUN", duration: 30m, devices: [sw9] }
`,
      "opsbot.yaml",
      {},
    );
    const [nightly, patch, monthEnd, weekend] = config.alerts.maintenance;
    const tz = config.timezone;
    expect(tz).toBe("Europe/Berlin");
    // Midnight in Berlin is 23:00 UTC the day before (winter).
    expect(isOpen(nightly!, U(2026, 12, 6, 23, 30), tz)).toBe(true);
    expect(isOpen(nightly!, U(2026, 12, 7, 0, 30), tz)).toBe(false);
    // Second Tuesday of December 2026 is the 8th; 02:30 Berlin = 01:30 UTC.
    expect(isOpen(patch!, U(2026, 12, 8, 3, 0), tz)).toBe(true);
    expect(isOpen(patch!, U(2026, 12, 1, 3, 0), tz)).toBe(false);
    expect(isOpen(monthEnd!, U(2026, 12, 31, 21, 30), tz)).toBe(true);
    expect(isOpen(monthEnd!, U(2026, 12, 30, 21, 30), tz)).toBe(false);
    expect(isOpen(weekend!, U(2026, 12, 6, 0, 10), tz)).toBe(true); // Sunday 01:10 Berlin
    const core = { device: "core-sw1", tags: ["core"], site: null };
    expect(activeWindow([patch!], core, U(2026, 12, 8, 3, 0), tz)?.name).toBe("patch");
  });

  it("config errors name the key: bad time zone, bad window, bad polling schedule", () => {
    const details = (yaml: string) => {
      try {
        parseConfig(yaml, "opsbot.yaml", {});
      } catch (err) {
        return (err as { details: string[] }).details.join("\n");
      }
      return "";
    };
    expect(details("timezone: Mars/Olympus\n")).toMatch(/timezone: an IANA time zone/);
    expect(() =>
      parseConfig(`alerts: { maintenance: [{ name: x, cron: "0 25 * * *", duration: 1h }] }\n`, "o.yaml", {}),
    ).toThrow();
    expect(() =>
      registrationsFromConfig({
        polling: { schedule: "0 2 * *", jitter_ms: 0, concurrency: 1 },
        devices: [],
      }),
    ).toThrow(/polling schedule/);
  });

  it("poll intervals come from the same dialect: @hourly is an hour, office hours count as hourly", () => {
    const regs = registrationsFromConfig({
      polling: { schedule: "@hourly", jitter_ms: 0, concurrency: 1 },
      devices: [
        { name: "a", host: "h", tags: [] },
        { name: "b", host: "h", tags: [], poll_schedule: "0 9-17 * * MON-FRI" },
      ] as never,
    });
    expect(regs.map((r) => r.pollIntervalMs)).toEqual([3_600_000, 3_600_000]);
  });
});
