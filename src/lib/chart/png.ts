import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ResvgRenderOptions } from "@resvg/resvg-js";
import { OpsbotError } from "../errors.js";
import { chartSvg, LAYOUT } from "./svg.js";
import type { ChartSpec } from "./types.js";

/**
 * The small subset first (resvg shapes text several times faster from a small font file), the full
 * DejaVu Sans second for any character the subset lacks. See assets/fonts/README.md.
 */
const FONTS = [join("assets", "fonts", "OpsbotChartSans.ttf"), join("assets", "fonts", "DejaVuSans.ttf")];

/**
 * A bundled font, found by walking up from this module (src/lib/chart in tests, dist/src/lib/chart when
 * built). Charts never use system fonts, so they render the same on a fresh machine.
 */
function findFont(file: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, file);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new OpsbotError("INTERNAL", `The chart font ${file} is missing from the opsbot installation.`);
}

// Built once and reused by every render. The native renderer loads on the first chart, not at
// start-up: most processes (`opsbot ask`) never draw.
let renderer: { Resvg: typeof import("@resvg/resvg-js").Resvg; options: ResvgRenderOptions } | undefined;

function loadRenderer() {
  const { Resvg } = createRequire(import.meta.url)("@resvg/resvg-js") as typeof import("@resvg/resvg-js");
  const options: ResvgRenderOptions = {
    font: { loadSystemFonts: false, fontFiles: FONTS.map(findFont), defaultFontFamily: LAYOUT.font },
    background: LAYOUT.background,
  };
  return { Resvg, options };
}

/** SVG text to PNG bytes with resvg and the bundled fonts. */
export function svgToPng(svg: string): Uint8Array {
  renderer ??= loadRenderer();
  return new renderer.Resvg(svg, renderer.options).render().asPng();
}

export function renderChartPng(spec: ChartSpec): Uint8Array {
  return svgToPng(chartSvg(spec));
}
