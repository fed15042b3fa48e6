import { segments, seriesStats } from "./series-stats.js";
import { timeTicks } from "./time-axis.js";
import type { ChartPanel, ChartSpec } from "./types.js";
import { formatValue, niceScale } from "./units.js";

/** Geometry shared by the SVG builder and its tests. */
export const LAYOUT = {
  width: 800,
  left: 78,
  right: 18,
  titleHeight: 48,
  panelTitle: 22,
  panelHeight: 200,
  axisHeight: 22,
  legendLine: 18,
  panelGap: 14,
  bottom: 10,
  font: "Opsbot Chart Sans",
  background: "#ffffff",
} as const;

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const px = (n: number) => Math.round(n * 10) / 10;

export interface PanelBox {
  top: number;
  plotTop: number;
  plotBottom: number;
  left: number;
  right: number;
}

/** Where each panel's plot area lies: tests look for drawn pixels there. */
export function panelBoxes(spec: ChartSpec): { height: number; width: number; boxes: PanelBox[] } {
  const width = spec.width ?? LAYOUT.width;
  let y = LAYOUT.titleHeight;
  const boxes = spec.panels.map((p) => {
    const plotTop = y + LAYOUT.panelTitle;
    const plotBottom = plotTop + (p.height ?? LAYOUT.panelHeight);
    const box = { top: y, plotTop, plotBottom, left: LAYOUT.left, right: width - LAYOUT.right };
    y = plotBottom + LAYOUT.axisHeight + p.series.length * LAYOUT.legendLine + LAYOUT.panelGap;
    return box;
  });
  return { width, height: y + LAYOUT.bottom, boxes };
}

/**
 * A chart as SVG text: title, then per panel a y axis in human units, time grid in the chart's zone,
 * one line per series broken at gaps, and a legend with min/avg/max/last. Pure.
 */
export function chartSvg(spec: ChartSpec): string {
  const { width, height, boxes } = panelBoxes(spec);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${LAYOUT.font}">`,
    `<rect width="${width}" height="${height}" fill="${LAYOUT.background}"/>`,
    `<text x="${LAYOUT.left}" y="22" font-size="16" fill="#111">${esc(spec.title)}</text>`,
  ];
  if (spec.subtitle) {
    out.push(`<text x="${LAYOUT.left}" y="40" font-size="11" fill="#555">${esc(spec.subtitle)}</text>`);
  }
  out.push(
    `<text x="${width - LAYOUT.right}" y="40" font-size="11" fill="#555" text-anchor="end">${esc(spec.timeZone)}</text>`,
  );
  spec.panels.forEach((panel, i) => {
    out.push(...panelSvg(spec, panel, boxes[i]!));
  });
  out.push("</svg>");
  return out.join("\n");
}

/**
 * More points than pixel columns only cost parsing and rasterizing: keep, per pixel column, the lowest
 * and the highest point (in time order), so a one-sample spike or dip still shows. One pass, no
 * allocation per column. Pure; `run` holds no gaps (see `segments`), so none can be joined here.
 */
export function decimate<P extends { at: number; value: number }>(
  run: readonly P[],
  x: (at: number) => number,
  columns: number,
): readonly P[] {
  if (run.length <= columns) return run;
  const out: P[] = [];
  let col = Number.NaN;
  let lo = -1;
  let hi = -1;
  const flush = () => {
    if (lo < 0) return;
    if (lo === hi) out.push(run[lo]!);
    else if (lo < hi) out.push(run[lo]!, run[hi]!);
    else out.push(run[hi]!, run[lo]!);
  };
  for (let i = 0; i < run.length; i++) {
    const p = run[i]!;
    const c = Math.floor(x(p.at));
    if (c !== col) {
      flush();
      col = c;
      lo = i;
      hi = i;
    } else if (p.value < run[lo]!.value) lo = i;
    else if (p.value > run[hi]!.value) hi = i;
  }
  flush();
  return out;
}

/** The lowest and highest known value of a panel (a loop: spreading thousands of values costs). */
function valueRange(panel: ChartPanel): { lo: number; hi: number } | undefined {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of panel.series) {
    for (const p of s.points) {
      if (p.value === null || !Number.isFinite(p.value)) continue;
      if (p.value < lo) lo = p.value;
      if (p.value > hi) hi = p.value;
    }
  }
  return lo <= hi ? { lo, hi } : undefined;
}

/**
 * SVG path data for a run, in pixels. A point between two others at the same height (a port at 0
 * errors/s for hours) adds nothing to the line and is left out.
 */
export function pathData(
  run: readonly { at: number; value: number }[],
  x: (at: number) => number,
  y: (v: number) => number,
): string {
  const n = run.length;
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) ys[i] = px(y(run[i]!.value));
  let d = `M${px(x(run[0]!.at))} ${ys[0]}L`;
  for (let i = 1; i < n; i++) {
    if (i < n - 1 && ys[i] === ys[i - 1] && ys[i] === ys[i + 1]) continue;
    d += `${px(x(run[i]!.at))} ${ys[i]} `;
  }
  return d;
}

function panelSvg(spec: ChartSpec, panel: ChartPanel, box: PanelBox): string[] {
  const out: string[] = [];
  const span = Math.max(1, spec.to - spec.from);
  const x = (at: number) => box.left + ((at - spec.from) / span) * (box.right - box.left);
  const range = valueRange(panel);
  const scale = niceScale(range?.lo ?? 0, range?.hi ?? 1);
  const y = (v: number) =>
    box.plotBottom - ((v - scale.lo) / (scale.hi - scale.lo)) * (box.plotBottom - box.plotTop);

  out.push(`<text x="${box.left}" y="${box.top + 15}" font-size="12" fill="#333">${esc(panel.title)}</text>`);
  out.push(
    `<rect x="${box.left}" y="${box.plotTop}" width="${box.right - box.left}" height="${box.plotBottom - box.plotTop}" fill="#fafafa" stroke="#ccc"/>`,
  );
  for (const t of scale.ticks) {
    const ty = px(y(t));
    out.push(`<line x1="${box.left}" y1="${ty}" x2="${box.right}" y2="${ty}" stroke="#e3e3e3"/>`);
    out.push(
      `<text x="${box.left - 6}" y="${ty + 4}" font-size="10" fill="#555" text-anchor="end">${esc(formatValue(t, panel.unit))}</text>`,
    );
  }
  const maxTicks = Math.max(2, Math.floor((box.right - box.left) / 80));
  for (const t of timeTicks(spec.from, spec.to, spec.timeZone, maxTicks)) {
    const tx = px(x(t.at));
    out.push(`<line x1="${tx}" y1="${box.plotTop}" x2="${tx}" y2="${box.plotBottom}" stroke="#e3e3e3"/>`);
    out.push(
      `<text x="${tx}" y="${box.plotBottom + 14}" font-size="10" fill="#555" text-anchor="middle">${esc(t.label)}</text>`,
    );
  }
  const columns = Math.max(1, Math.round(box.right - box.left));
  for (const s of panel.series) {
    for (const full of segments(s.points, s.gapMs)) {
      const run = decimate(full, x, columns);
      if (run.length === 1) {
        const p = run[0]!;
        out.push(`<circle cx="${px(x(p.at))}" cy="${px(y(p.value))}" r="1.8" fill="${s.color}"/>`);
        continue;
      }
      // Denser than the pixels (a week of 5-minute points): the line is a column of min/max strokes
      // where antialiasing shows nothing and costs the renderer most of its time.
      const shape = run === full ? 'stroke-linejoin="round"' : 'shape-rendering="optimizeSpeed"';
      out.push(
        `<path d="${pathData(run, x, y)}" fill="none" stroke="${s.color}" stroke-width="1.6" ${shape}/>`,
      );
    }
  }
  let ly = box.plotBottom + LAYOUT.axisHeight + 12;
  for (const s of panel.series) {
    const st = seriesStats(s.points);
    const f = (v: number | null) => formatValue(v, panel.unit);
    out.push(`<rect x="${box.left}" y="${ly - 9}" width="10" height="10" fill="${s.color}"/>`);
    out.push(
      `<text x="${box.left + 16}" y="${ly}" font-size="11" fill="#222">${esc(s.name)}</text>`,
      `<text x="${box.right}" y="${ly}" font-size="11" fill="#222" text-anchor="end">${esc(
        `min ${f(st.min)}   avg ${f(st.avg)}   max ${f(st.max)}   last ${f(st.last)}`,
      )}</text>`,
    );
    ly += LAYOUT.legendLine;
  }
  return out;
}
