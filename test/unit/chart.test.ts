import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { renderChartPng } from "../../src/lib/chart/png.js";
import { segments } from "../../src/lib/chart/series-stats.js";
import { sparkline } from "../../src/lib/chart/sparkline.js";
import { decimate, panelBoxes } from "../../src/lib/chart/svg.js";
import { timeTicks } from "../../src/lib/chart/time-axis.js";
import type { ChartSpec } from "../../src/lib/chart/types.js";
import { formatValue, niceScale } from "../../src/lib/chart/units.js";

const T0 = Date.UTC(2025, 6, 1, 0, 0, 0); // summer: Amsterdam is UTC+2
const IN = "#1f77b4";

function spec(values: (i: number) => number | null): ChartSpec {
  const points = Array.from({ length: 72 }, (_, i) => ({ at: T0 + i * 300_000, value: values(i) }));
  return {
    title: "sw1 Gi1/0/1 — uplink & <core>",
    from: T0,
    to: T0 + 6 * 3_600_000,
    timeZone: "Europe/Amsterdam",
    panels: [
      { title: "Traffic", unit: "bit/s", series: [{ name: "in", color: IN, points }] },
      {
        title: "Errors",
        unit: "/s",
        height: 100,
        series: [{ name: "errors", color: "#d62728", points: [] }],
      },
    ],
  };
}

/** Pixels of the in-series colour in a column range of the first panel's plot area. */
function seriesPixels(png: PNG, s: ChartSpec, fromX: number, toX: number): number {
  const box = panelBoxes(s).boxes[0]!;
  let n = 0;
  for (let y = box.plotTop + 1; y < box.plotBottom; y++) {
    for (let x = Math.max(fromX, box.left + 1); x < Math.min(toX, box.right); x++) {
      const i = (png.width * y + x) * 4;
      const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
      if (Math.abs(r - 0x1f) < 40 && Math.abs(g - 0x77) < 40 && Math.abs(b - 0xb4) < 40) n++;
    }
  }
  return n;
}

describe("chart rendering (SVG → PNG with the bundled font)", () => {
  it("decodes to the laid-out size with the series drawn in the plot area, and a gap left empty", () => {
    // Unreachable for polls 30–44 (75 minutes): nothing may be drawn there.
    const s = spec((i) => (i >= 30 && i < 45 ? null : 5e8 + 2e8 * Math.sin(i / 6)));
    const png = PNG.sync.read(Buffer.from(renderChartPng(s)));
    const { width, height, boxes } = panelBoxes(s);
    expect([png.width, png.height]).toEqual([width, height]);
    const box = boxes[0]!;
    const x = (i: number) => Math.round(box.left + (i / 72) * (box.right - box.left));
    expect(seriesPixels(png, s, x(2), x(28))).toBeGreaterThan(100);
    expect(seriesPixels(png, s, x(31), x(44))).toBe(0);
    expect(seriesPixels(png, s, x(46), x(70))).toBeGreaterThan(100);
  });

  it("draws text with the bundled font (the title row is not blank)", () => {
    const s = spec(() => 1);
    const png = PNG.sync.read(Buffer.from(renderChartPng(s)));
    let dark = 0;
    for (let y = 5; y < 28; y++)
      for (let x = 78; x < 400; x++) if (png.data[(png.width * y + x) * 4]! < 100) dark++;
    expect(dark).toBeGreaterThan(200);
  });
});

describe("a week of 5-minute points reduced to the pixel width", () => {
  const WEEK = 7 * 288;
  const week = (values: (i: number) => number | null): ChartSpec => ({
    ...spec(() => 0),
    to: T0 + WEEK * 300_000,
    panels: [
      {
        title: "Traffic",
        unit: "bit/s",
        series: [
          {
            name: "in",
            color: IN,
            gapMs: 450_000,
            points: Array.from({ length: WEEK }, (_, i) => ({ at: T0 + i * 300_000, value: values(i) })),
          },
        ],
      },
    ],
  });

  it("keeps a one-sample spike and a one-sample dip, and leaves far fewer points", () => {
    const run = Array.from({ length: WEEK }, (_, i) => ({
      at: i,
      value: i === 1234 ? 9e8 : i === 77 ? 0 : 1e8 + (i % 3),
    }));
    const kept = decimate(run, (at) => (at / WEEK) * 700, 700);
    expect(kept.length).toBeLessThanOrEqual(2 * 700);
    expect(kept.length).toBeLessThan(run.length);
    expect(kept).toContainEqual({ at: 1234, value: 9e8 });
    expect(kept).toContainEqual({ at: 77, value: 0 });
    expect(kept.map((p) => p.at)).toEqual([...kept.map((p) => p.at)].sort((a, b) => a - b));
  });

  it("draws the spike in the PNG and leaves the gap empty, not joined", () => {
    // Flat at 100 Mbit/s, one poll at 900 Mbit/s, unreachable for polls 1500–1560 (5 hours).
    const s = week((i) => (i >= 1500 && i < 1560 ? null : i === 700 ? 9e8 : 1e8));
    expect(segments(s.panels[0]!.series[0]!.points, 450_000)).toHaveLength(2);
    const png = PNG.sync.read(Buffer.from(renderChartPng(s)));
    const box = panelBoxes(s).boxes[0]!;
    const x = (i: number) => box.left + (i / WEEK) * (box.right - box.left);
    // The spike reaches the top fifth of the plot (900 M on an axis up to 1 G; the rest sits at 100 M).
    let high = 0;
    const top = box.plotTop + (box.plotBottom - box.plotTop) / 5;
    for (let y = box.plotTop + 1; y < top; y++) {
      for (let px = Math.floor(x(700)) - 2; px <= Math.ceil(x(700)) + 2; px++) {
        const i = (png.width * y + px) * 4;
        const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
        if (Math.abs(r - 0x1f) < 40 && Math.abs(g - 0x77) < 40 && Math.abs(b - 0xb4) < 40) high++;
      }
    }
    expect(high).toBeGreaterThan(3);
    // Blue-tinted pixels (the in colour, blended with the background where antialiased); the grid is grey.
    const bluish = (fromX: number, toX: number) => {
      let n = 0;
      for (let y = box.plotTop + 1; y < box.plotBottom; y++) {
        for (let px = fromX; px < toX; px++) {
          const i = (png.width * y + px) * 4;
          if (png.data[i + 2]! - png.data[i]! > 50) n++;
        }
      }
      return n;
    };
    expect(bluish(Math.ceil(x(1502)), Math.floor(x(1558)))).toBe(0);
    expect(bluish(Math.ceil(x(1000)), Math.floor(x(1400)))).toBeGreaterThan(50);
  });
});

describe("chart pieces", () => {
  it("writes values in human units", () => {
    expect(formatValue(1_234_000_000, "bit/s")).toBe("1.23 Gbit/s");
    expect(formatValue(850, "bit/s")).toBe("850 bit/s");
    expect(formatValue(0, "bit/s")).toBe("0 bit/s");
    expect(formatValue(2.5, "/s")).toBe("2.5/s");
    expect(formatValue(41, "°C")).toBe("41°C");
    expect(formatValue(340, "ms")).toBe("340 ms");
    expect(formatValue(null, "bit/s")).toBe("—");
  });

  it("picks round axis maxima", () => {
    expect(niceScale(0, 7.3e8)).toMatchObject({ lo: 0, hi: 8e8 });
    expect(niceScale(0, 0).hi).toBeGreaterThan(0);
  });

  it("puts time ticks on whole local hours in the configured zone", () => {
    const ticks = timeTicks(T0 + 17 * 60_000, T0 + 6 * 3_600_000, "Europe/Amsterdam", 8);
    expect(ticks[0]!.label).toBe("03:00"); // 01:00 UTC is 03:00 in Amsterdam in July
    expect(ticks.every((t) => t.at % 3_600_000 === 0)).toBe(true);
    const india = timeTicks(T0, T0 + 6 * 3_600_000, "Asia/Kolkata", 8); // UTC+5:30
    expect(india.every((t) => (t.at + 1_800_000) % 3_600_000 === 0)).toBe(true);
  });

  it("sketches a series as one line, with blanks for gaps", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([1, null, 1])).toBe("▁ ▁");
  });
});
