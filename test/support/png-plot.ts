import { PNG } from "pngjs";
import { panelBoxes } from "../../src/lib/chart/svg.js";

/**
 * Decodes a chart PNG and counts the blue pixels (the "in" series, antialiased) inside the first
 * panel's plot area of a two-series chart: more than a few dozen means a line was drawn there.
 */
export function bluePixelsInFirstPlot(bytes: Uint8Array): { width: number; drawn: number } {
  const png = PNG.sync.read(Buffer.from(bytes));
  const empty = { name: "", color: "", points: [] };
  const box = panelBoxes({
    title: "",
    from: 0,
    to: 1,
    timeZone: "UTC",
    panels: [{ title: "", unit: "", series: [empty, empty] }],
  }).boxes[0]!;
  let drawn = 0;
  for (let y = box.plotTop + 1; y < box.plotBottom; y++)
    for (let x = box.left + 1; x < box.right; x++) {
      const i = (png.width * y + x) * 4;
      if (png.data[i + 2]! > png.data[i]! + 50) drawn++;
    }
  return { width: png.width, drawn };
}
