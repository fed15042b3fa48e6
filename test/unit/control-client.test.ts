import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { askOwner } from "../../src/runtime/control-client.js";
import type { ControlResponse } from "../../src/runtime/control-protocol.js";
import { tempDir } from "../support/temp.js";

/**
 * askOwner skips the connect (and loading node:net) when no socket file exists; a file that is no
 * listening socket still means "no owner", and a real listener still gets the request and answers.
 */
const dirs: { cleanup: () => void }[] = [];
const servers: Server[] = [];
const dir = () => {
  const d = tempDir();
  dirs.push(d);
  return d.path;
};
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) d.cleanup();
});

const req = { v: 1 as const, text: "help", user: "alice" };

describe("askOwner", () => {
  it("answers undefined when no socket file exists", async () => {
    expect(await askOwner(join(dir(), "missing.sock"), req)).toBeUndefined();
  });

  it("answers undefined when the file is left over and nothing listens on it", async () => {
    const path = join(dir(), "stale.sock");
    writeFileSync(path, "");
    expect(await askOwner(path, req)).toBeUndefined();
  });

  it("sends the request to a listening owner and returns its reply", async () => {
    const path = join(dir(), "owner.sock");
    const received: string[] = [];
    const server = createServer((socket) => {
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => {
        received.push(chunk);
        const reply: ControlResponse = {
          ok: true,
          pid: 4242,
          outcome: "ok",
          command: "help",
          reply: { blocks: [], text: "hi" },
        } as unknown as ControlResponse;
        socket.end(JSON.stringify(reply));
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(path, r));
    const answer = await askOwner(path, req);
    expect(answer).toMatchObject({ ok: true, pid: 4242, outcome: "ok" });
    expect(JSON.parse(received.join("").trim())).toEqual(req);
  });
});
