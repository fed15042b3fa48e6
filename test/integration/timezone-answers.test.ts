import { afterEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { type TestCore, testCore } from "../support/core.js";

/** One `timezone` setting: alert messages show times in it and name it. */
let core: TestCore | undefined;
afterEach(() => core?.cleanup());

async function openedLine(yaml: string): Promise<string> {
  core?.cleanup();
  core = testCore(yaml);
  core.clock.set(Date.UTC(2026, 11, 1, 23, 5));
  core.store.db
    .prepare(
      "INSERT INTO change_log (at, device, kind, object_key, old, new, detail) VALUES (?, 'sw1', 'backup', '', 'ok', 'failed', '{}')",
    )
    .run(core.clock.now());
  await core.alerts.process();
  return replyToPlainText(core.chat.posts[0]!.reply)
    .split("\n")
    .find((l) => l.includes("opened"))!;
}

describe("times in answers", () => {
  const fleet = `alerts: { default_channel: C-OPS }\ndevices: [{ name: sw1, host: 127.0.0.1 }]\n`;
  it("default UTC, stated", async () => {
    expect(await openedLine(fleet)).toContain("opened 2026-12-01 23:05 UTC");
  });

  it("the configured zone, stated", async () => {
    expect(await openedLine(`timezone: Europe/Berlin\n${fleet}`)).toContain(
      "opened 2026-12-02 00:05 Europe/Berlin",
    );
  });
});
