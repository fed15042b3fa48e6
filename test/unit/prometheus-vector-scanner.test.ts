import { describe, expect, it } from "vitest";
import { scanVector } from "../../src/management/sources/prometheus/vector-scanner.js";

/** What JSON.parse makes of the same text: [[name, value, …], value] per series. */
function parsed(text: string): Array<[string[], string]> {
  const body = JSON.parse(text) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return body.data.result.map((r) => [Object.entries(r.metric).flat(), r.value[1]]);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
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

  it("reads the answer's bytes as it reads its text: UTF-8 of every width, \\u escapes, escaped quotes", () => {
    const text = answer([
      { metric: { __name__: "ifAlias", ifAlias: "é ü 漢 😀", ifIndex: "1" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: "é ü 漢 😀", ifIndex: "2" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: "é ü 漢 😁", ifIndex: "3" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: "x", ifIndex: "4" }, value: [1, "1"] },
    ]);
    // Prometheus writes some characters as \u escapes (Go's encoder: <, >, & and U+2028).
    const escaped = text.replace('"x"', '"\\u003cuplink\\u003e \\u2028 \\"q\\""');
    for (const body of [text, escaped]) {
      const bytes = Buffer.from(body, "utf8");
      const series: Array<[string[], string]> = [];
      expect(scanVector(bytes, (labels, value) => series.push([[...labels], value]))).toBeDefined();
      expect(series).toEqual(parsed(body));
    }
    expect(parsed(escaped)[3]![0][3]).toBe('<uplink> \u2028 "q"');
    // A view into a larger buffer (as a network chunk may be) reads the same.
    const padded = Buffer.concat([Buffer.from("xxxx"), Buffer.from(text), Buffer.from("yy")]);
    const view = new Uint8Array(padded.buffer, padded.byteOffset + 4, padded.length - 6);
    const series: Array<[string[], string]> = [];
    scanVector(view, (labels, value) => series.push([[...labels], value]));
    expect(series).toEqual(parsed(text));
  });

  it("an invalid UTF-8 sequence reads as U+FFFD, as decoding the whole answer would", () => {
    const text = answer([{ metric: { __name__: "ifAlias", ifAlias: "a?b", ifIndex: "1" }, value: [1, "1"] }]);
    const bytes = Buffer.from(text, "utf8");
    bytes[bytes.indexOf("a?b") + 1] = 0xff;
    const series: Array<[string[], string]> = [];
    scanVector(bytes, (labels, value) => series.push([[...labels], value]));
    expect(series).toEqual(parsed(new TextDecoder().decode(bytes)));
    expect(series[0]![0][3]).toBe("a\ufffdb");
  });

  it("declines a body cut anywhere, or a raw control character in a string: never a wrong series", () => {
    const text = answer([
      { metric: { __name__: "ifAlias", ifAlias: 'é \\ "q"', ifIndex: "1" }, value: [1, "1"] },
      { metric: { __name__: "ifAlias", ifAlias: 'é \\ "q"', ifIndex: "2" }, value: [1, "12"] },
    ]);
    const bytes = Buffer.from(text, "utf8");
    const whole = parsed(text);
    for (let cut = 0; cut < bytes.length; cut++) {
      const series: Array<[string[], string]> = [];
      const envelope = scanVector(bytes.subarray(0, cut), (labels, value) =>
        series.push([[...labels], value]),
      );
      // Declined, or (cut in the envelope's tail) an envelope that is not JSON: the caller's parse fails.
      expect({ cut, readable: envelope !== undefined && isJson(envelope) }).toEqual({ cut, readable: false });
      // What it handed over before declining is a prefix of the real series, each one whole.
      expect(whole.slice(0, series.length)).toEqual(series);
    }
    // A tab byte inside a label value (JSON writes it \t): JSON.parse refuses it, and so does the scan.
    const control = Buffer.from(text, "utf8");
    control[control.indexOf(" ", control.indexOf("é"))] = 0x09;
    expect(() => JSON.parse(control.toString("utf8"))).toThrow();
    expect(scanVector(control, () => {})).toBeUndefined();
  });
});
