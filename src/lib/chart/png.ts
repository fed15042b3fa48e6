import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { OpsbotError } from "../errors.js";
import { chartSvg } from "./svg.js";
import type { ChartSpec } from "./types.js";

const FONT = join("assets", "fonts", "DejaVuSans.ttf");

/**
 * The bundled font, found by walking up from this module (src/lib/chart in tests, dist/src/lib/chart when
 * built). Charts never use system fonts, so they render the same on a fresh machine.
 */
function findFont(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, FONT);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new OpsbotError("INTERNAL", `The chart font ${FONT} is missing from the opsbot installation.`);
}

let font: string | undefined;
// The native renderer loads on the first chart, not at start-up: most processes (`opsbot ask`) never draw.
let resvg: typeof import("@resvg/resvg-js") | undefined;

/** SVG text to PNG bytes with resvg and the bundled font. */
export function svgToPng(svg: string): Uint8Array {
  font ??= findFont();
  resvg ??= createRequire(import.meta.url)("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
  const renderer = new resvg.Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles: [font], defaultFontFamily: "DejaVu Sans" },
    background: "#ffffff",
  });
  return renderer.render().asPng();
}

export function renderChartPng(spec: ChartSpec): Uint8Array {
  return svgToPng(chartSvg(spec));
}
