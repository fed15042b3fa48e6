/** One GET answered: the status and the body parsed as JSON (undefined when it is not JSON). */
export interface JsonResponse {
  status: number;
  body: unknown;
}

export interface GetJsonOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  /** Extra trusted CA certificates (PEM) for https; the certificate is always verified. */
  ca?: string;
  /** A body larger than this is refused (a misconfigured URL answering with something huge). */
  maxBytes?: number;
}

/** The transport the NetBox source uses; tests and benches pass the real one. */
export type GetJson = (url: URL, options: GetJsonOptions) => Promise<JsonResponse>;

/**
 * A GET over node:http(s), with a whole-request timeout. Network failures reject with the OS reason.
 * node:http(s) load at the first request: most processes never fetch an inventory.
 */
export const getJson: GetJson = async (url, options) => {
  const { request } = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  return new Promise((resolve, reject) => {
    const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    const req = request(url, {
      method: "GET",
      headers: { Accept: "application/json", ...options.headers },
      ...(url.protocol === "https:"
        ? { rejectUnauthorized: true, ...(options.ca ? { ca: options.ca } : {}) }
        : {}),
    });
    let settled = false;
    const fail = (err: Error) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(err);
    };
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    req.on("error", fail);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          fail(new Error(`answer larger than ${maxBytes} bytes`));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", fail);
      res.on("close", () => {
        if (!res.complete) fail(new Error("the connection closed before the answer was complete"));
      });
      res.on("end", () => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.end();
  });
};
