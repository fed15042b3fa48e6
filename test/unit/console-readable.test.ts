import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ConsoleChat } from "../../src/chat/console/console-chat.js";
import { buttons, heading, type Reply, reply, table, text } from "../../src/chat/reply.js";
import { configSchema } from "../../src/config/schema.js";

/** Issue 14: the console is readable — tables fit, async output goes above the prompt, no reprints. */
const config = configSchema.parse({ roles: { admin: ["alice"] } });

function consoleChat(width?: number) {
  const out: string[] = [];
  const chat = new ConsoleChat({
    config,
    userName: "alice",
    channel: "#ops",
    write: (t) => out.push(t),
    ...(width ? { width } : {}),
  });
  return { chat, out };
}

const request = (expires: string): Reply =>
  reply(
    heading("Run 1 · service-restart · waiting for approval"),
    text(`Expires: ${expires}`),
    buttons(
      { actionId: "run.approve", label: "Approve", value: "1" },
      { actionId: "run.reject", label: "Reject", value: "1" },
    ),
  );

describe("console readability", () => {
  it("tables fit the terminal width; long cells are cut with …", async () => {
    const { chat, out } = consoleChat(100);
    const long = `${"very long drive detail ".repeat(15)}end`;
    await chat.post(
      "#ops",
      reply(
        table(
          ["device", "drive", "status", "detail"],
          [
            ["db01", "smart:/dev/sdb", "failed", long],
            ["db01", "idrac:2", "failed", "short"],
          ],
        ),
      ),
    );
    const lines = out.join("").split("\n");
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(out.join("")).toMatch(/db01 +smart:\/dev\/sdb +failed +very long drive detail[^\n]*…\n/);
    expect(out.join("")).toContain("--json");
    expect(out.join("")).toContain("smart:/dev/sdb"); // short columns are not cut
  });

  it("a message is printed again only when it changed, and keeps its button numbers", async () => {
    const { chat, out } = consoleChat();
    const ref = await chat.post("#ops", request("in 30m"));
    expect(out.join("")).toContain("[1] Approve   [2] Reject");
    out.length = 0;
    await chat.update(ref, request("in 30m"));
    expect(out).toEqual([]);
    await chat.update(ref, request("in 29m"));
    expect(out.join("")).toContain("(updated)");
    expect(out.join("")).toContain("[1] Approve   [2] Reject");
    await chat.post("#ops", request("in 10m"));
    expect(out.join("")).toContain("[3] Approve   [4] Reject");
  });

  it("asynchronous messages are printed above the prompt, which is redrawn after them", async () => {
    const { chat } = consoleChat();
    chat.attach({} as never);
    const input = new PassThrough();
    let screen = "";
    const output = new Writable({
      write(chunk, _e, done) {
        screen += String(chunk);
        done();
      },
    });
    const chatOut: string[] = [];
    (chat as unknown as { options: { write: (t: string) => void } }).options.write = (t) => {
      chatOut.push(t);
      screen += t;
    };
    const loop = chat.runInteractive(input, output, true);
    await new Promise((r) => setImmediate(r));
    expect(screen).toContain("alice> ");
    const before = screen.length;
    await chat.post("#ops-alerts", reply(text("🔴 Drive problem — db01")));
    const after = screen.slice(before);
    expect(after.indexOf("\r\x1b[2K")).toBe(0); // the prompt line is cleared first
    expect(after.indexOf("Drive problem")).toBeGreaterThan(0);
    expect(after.lastIndexOf("alice> ")).toBeGreaterThan(after.indexOf("Drive problem"));
    input.end("quit\n");
    await loop;
  });
});
