import { describe, expect, it } from "vitest";
import {
  buttons,
  code,
  context,
  errorReply,
  fields,
  heading,
  type Reply,
  reply,
  table,
  text,
} from "../../src/chat/reply.js";
import { type RenderedReply, renderReply } from "../../src/chat/slack/block-kit.js";
import { escapeMrkdwn, splitEscaped } from "../../src/chat/slack/mrkdwn.js";
import { checkMessage } from "../support/slack-emulator/block-limits.js";

/** Every message must pass the emulator's copy of Slack's checks. */
function expectWithinLimits(out: RenderedReply): void {
  for (const m of out.messages) {
    expect(checkMessage(m.text, m.blocks)).toBeUndefined();
    expect(m.text.length).toBeGreaterThan(0);
  }
}

const rows = (n: number, width = 10) =>
  Array.from({ length: n }, (_, i) => [`sw-${i}`, `Gi1/0/${i}`, "x".repeat(width)]);

describe("Block Kit renderer", () => {
  it("maps each reply block to its Slack block, with a plain-text fallback", () => {
    const r: Reply = reply(
      heading("Links down"),
      text("2 links are down."),
      fields({ Device: "sw-core-1", Site: "ams" }),
      table(["device", "port"], [["sw-1", "Gi1/0/1"]], "Down links"),
      code("show version"),
      buttons({ actionId: "run.approve", label: "Approve", value: "42", style: "primary" }),
      context("polled 3m ago"),
    );
    const out = renderReply(r);
    expectWithinLimits(out);
    expect(out.files).toEqual([]);
    expect(out.messages).toHaveLength(1);
    const [msg] = out.messages;
    expect(msg!.blocks.map((b) => b.type)).toEqual([
      "header",
      "section",
      "section",
      "section",
      "section",
      "section",
      "actions",
      "context",
    ]);
    expect(msg!.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Links down", emoji: true },
    });
    expect(msg!.blocks[2]).toEqual({
      type: "section",
      fields: [
        { type: "mrkdwn", text: "*Device*\nsw-core-1" },
        { type: "mrkdwn", text: "*Site*\nams" },
      ],
    });
    expect(msg!.blocks[4]).toEqual({
      type: "section",
      text: { type: "mrkdwn", text: "```\ndevice  port\n------  -------\nsw-1    Gi1/0/1\n```" },
    });
    expect(msg!.blocks[6]).toEqual({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: "run.approve",
          text: { type: "plain_text", text: "Approve", emoji: true },
          value: "42",
          style: "primary",
        },
      ],
    });
    expect(msg!.text).toContain("Links down\n2 links are down.\nDevice: sw-core-1");
  });

  it("escapes device data so it cannot ping channels or fake links", () => {
    const out = renderReply(
      reply(text("iface desc: <!channel> & <https://evil|ok>"), table(["d"], [["<!here>"]])),
    );
    const json = JSON.stringify(out);
    expect(json).not.toContain("<!channel>");
    expect(json).not.toContain("<!here>");
    expect(out.messages[0]!.blocks[0]).toEqual({
      type: "section",
      text: { type: "mrkdwn", text: "iface desc: &lt;!channel&gt; &amp; &lt;https://evil|ok&gt;" },
    });
    expect(out.messages[0]!.text).toContain("&lt;!channel&gt;");
  });

  it("splits long text into sections of at most 3,000 characters without losing any", () => {
    const long = Array.from({ length: 400 }, (_, i) => `line ${i} ${"y".repeat(20)}`).join("\n");
    const out = renderReply(reply(text(long)));
    expectWithinLimits(out);
    const sections = out.messages.flatMap((m) => m.blocks);
    expect(sections.length).toBeGreaterThan(3);
    const joined = sections.map((b) => (b.type === "section" && "text" in b ? b.text.text : "")).join("\n");
    expect(joined).toBe(long);
  });

  it("cuts a single overlong line between characters, never inside an escape", () => {
    const line = "&".repeat(1000);
    const pieces = splitEscaped(line, 3000);
    expect(pieces.map((p) => p.raw).join("")).toBe(line);
    for (const p of pieces) {
      expect(p.escaped.length).toBeLessThanOrEqual(3000);
      expect(p.escaped).toBe(escapeMrkdwn(p.raw));
    }
  });

  it("puts at most 10 fields in a section", () => {
    const many = Object.fromEntries(Array.from({ length: 23 }, (_, i) => [`k${i}`, `v${i}`]));
    const out = renderReply(reply(fields(many)));
    expectWithinLimits(out);
    expect(out.messages[0]!.blocks.map((b) => ("fields" in b ? b.fields.length : 0))).toEqual([10, 10, 3]);
  });

  it("splits a medium table across sections and messages, repeating the header", () => {
    const out = renderReply(reply(table(["device", "port", "note"], rows(150, 40))), {
      fileThreshold: 1_000_000,
    });
    expectWithinLimits(out);
    expect(out.files).toEqual([]);
    const sections = out.messages.flatMap((m) => m.blocks);
    expect(sections.length).toBeGreaterThan(3);
    for (const s of sections) {
      const t = s.type === "section" && "text" in s ? s.text.text : "";
      expect(t.startsWith("```\ndevice  port")).toBe(true);
    }
    const allRows = sections.map((s) => (s.type === "section" && "text" in s ? s.text.text : "")).join("\n");
    for (let i = 0; i < 150; i += 1) expect(allRows).toContain(`sw-${i} `);
  });

  it("posts a long table as a file with a note, when files are allowed", () => {
    const out = renderReply(
      reply(heading("Interfaces"), table(["device", "port", "note"], rows(600, 30), "All ports")),
    );
    expectWithinLimits(out);
    expect(out.files).toHaveLength(1);
    expect(out.files[0]!.filename).toBe("all-ports.txt");
    expect(String(out.files[0]!.content).split("\n")).toHaveLength(600 + 3);
    expect(out.messages).toHaveLength(1);
    expect(JSON.stringify(out.messages[0]!.blocks)).toContain("attached as `all-ports.txt`");
  });

  it("never uses files for ephemeral replies: splits and caps with a note instead", () => {
    const out = renderReply(
      reply(
        table(["device", "port", "note"], rows(3000, 30)),
        buttons({ actionId: "a", label: "A", value: "1" }),
      ),
      {
        allowFiles: false,
      },
    );
    expectWithinLimits(out);
    expect(out.files).toEqual([]);
    expect(out.messages).toHaveLength(5);
    const last = out.messages.at(-1)!;
    expect(JSON.stringify(last.blocks)).toContain("more parts not shown");
    expect(last.blocks.at(-1)!.type).toBe("actions");
  });

  it("keeps at most 50 blocks per message and moves overflow past five messages into a file", () => {
    const blocks = Array.from({ length: 400 }, (_, i) => text(`paragraph ${i}`));
    const out = renderReply({ blocks: [...blocks, buttons({ actionId: "x", label: "X", value: "v" })] });
    expectWithinLimits(out);
    expect(out.messages).toHaveLength(5);
    for (const m of out.messages) expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(out.files.map((f) => f.filename)).toEqual(["reply-continued.txt"]);
    expect(out.files[0]!.content).toContain("paragraph 399");
    expect(out.messages.at(-1)!.blocks.at(-1)!.type).toBe("actions");
  });

  it("limits header and button text, and splits buttons so no block repeats an action id", () => {
    const out = renderReply(
      reply(
        heading("h".repeat(300)),
        buttons(
          { actionId: "run.approve", label: "Approve run 1 ".repeat(10), value: "1" },
          { actionId: "run.approve", label: "Approve run 2", value: "2" },
          ...Array.from({ length: 30 }, (_, i) => ({ actionId: `b${i}`, label: `B${i}`, value: String(i) })),
        ),
      ),
    );
    expectWithinLimits(out);
    const blocks = out.messages[0]!.blocks;
    expect(blocks[0]!.type === "header" && blocks[0]!.text.text.length).toBe(150);
    const actions = blocks.filter((b) => b.type === "actions");
    expect(actions.map((a) => (a.type === "actions" ? a.elements.length : 0))).toEqual([1, 25, 6]);
  });

  it("rejects a button value Slack would refuse rather than cutting an id in half", () => {
    expect(() => renderReply(reply(buttons({ actionId: "a", label: "A", value: "v".repeat(2001) })))).toThrow(
      /value/,
    );
  });

  it("marks error replies and never renders an empty message", () => {
    const err = renderReply(errorReply("Unknown device sw-9.", ["Did you mean sw-1?"]));
    expect(err.messages[0]!.blocks[0]).toMatchObject({ text: { text: ":warning: Unknown device sw-9." } });
    const empty = renderReply({ blocks: [] });
    expectWithinLimits(empty);
    expect(empty.messages).toHaveLength(1);
  });
});
