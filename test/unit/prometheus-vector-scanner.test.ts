import { describe, expect, it } from "vitest";
import { scanVector } from "../../src/management/sources/prometheus/vector-scanner.js";

/** What JSON.parse makes of the same text: [[name, value, …], value] per series. */
function parsed(text: string): Array<[string[], string]> {
  const body = JSON.parse(text) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.data.result.map((r) => [Object.entries(r.metric).flat(), r.value[1]]);
}

function scanned(text: string): { series: Array<[string[], string]>; envelope: string | undefined } {
  const series: Array<[string[], string]> = [];
  const envelope = scanVector(text, (labels, value) => series.push([[...labels], value]));
  return { series, envelope };
}

const answer = (result: unknown[], extra = "") =>
  `{"status":"success","data":{"resultType":"vector","result":${JSON.stringify(result)}}${extra}}`;

describe("Prometheus vector scanner", () => {
  it("reads every series as JSON.parse does, escapes included", () => {
    const text = answer([
      { metric: { instance: "sw1", opsbot_scrape_ts: "1" }, value: [1796184584.241, "1796184088.635"] },
      { metric: { __name__: "ifAlias", ifAlias: 'say "hi" \\ back\\slash', ifIndex: "3" }, value: [1, "1"] },
      {
        metric: { __name__: "ifAlias", ifAlias: "tab\there, nul\u0000, é ü 漢 😀", ifIndex: "4" },
        value: [1, "1"],
      },
      { metric: { __name__: "ifAlias", ifAlias: "ends in a backslash\\", ifIndex: "5" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: "", ifIndex: "6" }, value: [1, "1"] },
      { metric: {}, value: [1, "NaN"] },
      { metric: { __name__: "ifHCInOctets", ifIndex: "7" }, value: [1, "1.152921504606847e+18"] },
    ]);
    const { series, envelope } = scanned(text);
    expect(series).toEqual(parsed(text));
    expect(series[3]![0][3]).toBe("ends in a backslash\\");
    expect(JSON.parse(envelope!)).toEqual({ status: "success", data: { resultType: "vector", result: [] } });
  });

  it("reuses the previous series' strings only where the text holds them literally", () => {
    // Each series repeats or nearly repeats the one before, slot by slot: a string decoded from escapes
    // must not be taken for the next series' raw text (the raw text a\\ decodes to a\, and the raw text
    // a\"b of a"b starts with a\ and a quote that does not close it), nor a prefix for a longer string.
    const text = answer([
      { metric: { __name__: "ifAlias", ifAlias: "a\\", ifIndex: "1" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: 'a"b', ifIndex: "1" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: 'a"b', ifIndex: "1" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: "x", ifIndex: "1" }, value: [1, "12"] },
      { metric: { __name__: "ifAlias", ifAlias: "xy", ifIndex: "10" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: "", ifIndex: "10" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: "", ifIndex: "10" }, value: [1, ""] },
      { metric: { __name__: "ifAlias", ifIndex: "10" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: 'é"', ifIndex: "10", z: "1" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: 'é"', ifIndex: "10", z: "1" }, value: [1, "1"] },
      { metric: {}, value: [1, "1"] },
      { metric: { __name__: "up" }, value: [1, "1"] },
    ]);
    expect(scanned(text).series).toEqual(parsed(text));
  });

  it("hands the envelope back with its warnings, and an empty result as empty", () => {
    const text = answer([{ metric: { a: "b" }, value: [1, "2"] }], ',"warnings":["partial: store down"]');
    const { series, envelope } = scanned(text);
    expect(series).toEqual([[["a", "b"], "2"]]);
    expect(JSON.parse(envelope!).warnings).toEqual(["partial: store down"]);
    expect(scanned(answer([]))).toEqual({ series: [], envelope: answer([]) });
  });

  it("declines any other shape, so the caller parses it the ordinary way", () => {
    const other = [
      '{"status":"error","errorType":"bad_data","error":"parse error"}',
      '{"status":"success","data":{"resultType":"matrix","result":[]}}',
      '{ "status": "success", "data": { "resultType": "vector", "result": [] } }',
      answer([{ value: [1, "2"], metric: { a: "b" } }]),
      answer([{ metric: { a: "b" }, histogram: [1, { count: "2" }] }]),
      answer([{ metric: { a: "b" }, value: [1, "2"] }]).slice(0, 80),
    ];
    for (const text of other) expect(scanned(text).envelope).toBeUndefined();
  });
});
