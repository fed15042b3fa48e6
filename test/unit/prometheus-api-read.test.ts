import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  createPrometheusApi,
  type SeriesSink,
} from "../../src/management/sources/prometheus/prometheus-api.js";

/**
 * How queryInto reads an answer whatever its JSON layout. Real Prometheus (integration tests) always
 * writes the compact layout the scanner reads; a proxy in front of it (or another implementation of the
 * API) may re-encode it, which only a server under the test's control can show: this loopback server
 * stands in for that proxy, not for Prometheus's query engine.
 */
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(body: string, status = 200): Promise<{ url: string; headers: IncomingHttpHeaders[] }> {
  const headers: IncomingHttpHeaders[] = [];
  server = createServer((req, res) => {
    headers.push(req.headers);
    req.resume();
    req.on("end", () => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, headers };
}

class Collect implements SeriesSink {
  series: Array<[string[], string]> = [];
  add = (labels: readonly string[], value: string) => {
    this.series.push([[...labels], value]);
  };
}

const RESULT = [
  {
    metric: { __name__: "ifAlias", ifAlias: 'a "quoted" alias', ifIndex: "3", instance: "sw1" },
    value: [1, "1"],
  },
  { metric: { instance: "sw1", opsbot_scrape_ts: "1" }, value: [1, "1700000000.5"] },
];
const EXPECTED = [
  [["__name__", "ifAlias", "ifAlias", 'a "quoted" alias', "ifIndex", "3", "instance", "sw1"], "1"],
  [["instance", "sw1", "opsbot_scrape_ts", "1"], "1700000000.5"],
];

describe("Prometheus API: reading an instant query into a sink", () => {
  it("reads the compact layout and the re-encoded one alike, each sink seeing every series once", async () => {
    const compact = JSON.stringify({ status: "success", data: { resultType: "vector", result: RESULT } });
    const pretty = JSON.stringify(
      { status: "success", data: { resultType: "vector", result: RESULT } },
      null,
      2,
    );
    for (const body of [compact, pretty]) {
      const { url, headers } = await serve(body);
      const sinks: Collect[] = [];
      const api = createPrometheusApi({ url, timeoutMs: 5000 });
      const out = await api.queryInto("q", () => {
        sinks.push(new Collect());
        return sinks.at(-1)!;
      });
      expect(out.series).toEqual(EXPECTED);
      // Loopback: the answer is asked for uncompressed.
      expect(headers[0]!["accept-encoding"]).toBe("identity");
      await new Promise<void>((r) => server!.close(() => r()));
      server = undefined;
    }
  });

  it("an answer with warnings, or an error, fails whole: no sink is returned", async () => {
    const partial = `${JSON.stringify({ status: "success", data: { resultType: "vector", result: RESULT } }).slice(0, -1)},"warnings":["store down"]}`;
    let { url } = await serve(partial);
    await expect(
      createPrometheusApi({ url, timeoutMs: 5000 }).queryInto("q", () => new Collect()),
    ).rejects.toThrow(/answered partially \(store down\)/);
    await new Promise<void>((r) => server!.close(() => r()));
    ({ url } = await serve(
      JSON.stringify({ status: "error", errorType: "bad_data", error: "parse error" }),
      400,
    ));
    await expect(
      createPrometheusApi({ url, timeoutMs: 5000 }).queryInto("q", () => new Collect()),
    ).rejects.toThrow(/answered 400: parse error/);
  });

  it("reads an answer that arrives in chunks split inside a UTF-8 character", async () => {
    const result = [
      {
        metric: { __name__: "ifAlias", ifAlias: "uplink é 漢 😀", ifIndex: "3", instance: "sw1" },
        value: [1, "1"],
      },
    ];
    const body = Buffer.from(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
    const splits = ["é", "漢", "😀"].map((c) => body.indexOf(c) + 1);
    server = createServer((req, res) => {
      req.resume();
      req.on("end", async () => {
        res.writeHead(200, { "content-type": "application/json" });
        let at = 0;
        for (const cut of [...splits, body.length]) {
          res.write(body.subarray(at, cut));
          at = cut;
          // Each piece its own chunk on the wire.
          await new Promise((r) => setTimeout(r, 20));
        }
        res.end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    const out = await createPrometheusApi({ url, timeoutMs: 5000 }).queryInto("q", () => new Collect());
    expect(out.series).toEqual([
      [["__name__", "ifAlias", "ifAlias", "uplink é 漢 😀", "ifIndex", "3", "instance", "sw1"], "1"],
    ]);
  });

  it("a truncated answer is an error naming what was wrong, never a partial batch", async () => {
    const whole = JSON.stringify({ status: "success", data: { resultType: "vector", result: RESULT } });
    // Complete HTTP, cut JSON (a proxy that gave up): an error quoting what came, never a partial batch.
    let { url } = await serve(whole.slice(0, whole.length - 40));
    await expect(
      createPrometheusApi({ url, timeoutMs: 5000 }).queryInto("q", () => new Collect()),
    ).rejects.toThrow(/answered 200: \{"status":"success".* — query: q$/);
    await new Promise<void>((r) => server!.close(() => r()));
    // The connection dropped mid-body (fewer bytes than Content-Length).
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": String(whole.length) });
        res.write(whole.slice(0, 60));
        setTimeout(() => res.socket?.destroy(), 20);
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    await expect(
      createPrometheusApi({ url, timeoutMs: 5000 }).queryInto("q", () => new Collect()),
    ).rejects.toThrow(/broke off its answer/);
  });
});
