import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { parseConfig } from "../../src/config/load.js";
import { ManualClock } from "../../src/lib/clock.js";
import { createLogger } from "../../src/lib/logger.js";
import { createCore } from "../../src/main.js";
import { RecordingChat } from "../support/recording-chat.js";
import { tempDir } from "../support/temp.js";

/**
 * The reported case: SNMP community `idrac` turned device `srv-idrac` into `srv-[redacted]` in every
 * alert. A real core (real SQLite file, real alert engine); the config load warns about the weak key.
 */
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe("redaction keeps names whole", () => {
  it("an alert about srv-idrac (community idrac) names the device and redacts the community", async () => {
    const dir = tempDir();
    const lines: string[] = [];
    const logger = createLogger({
      level: "warn",
      destination: new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    });
    const config = parseConfig(
      `
alerts: { default_channel: C-OPS }
devices:
  - { name: srv-idrac, host: 127.0.0.1, snmp: { community: idrac } }
  - { name: sw1, host: 127.0.0.1, snmp: { community: "\${SW_COMMUNITY}" } }
`,
      "opsbot.yaml",
      { SW_COMMUNITY: "f7c1-long-random-community" },
    );
    const chat = new RecordingChat();
    const clock = new ManualClock();
    const core = createCore({ config, dbPath: join(dir.path, "o.db"), logger, chat, clock });
    cleanup = () => {
      core.close();
      dir.cleanup();
    };
    const warnings = lines.map((l) => JSON.parse(l).msg as string);
    expect(warnings).toEqual([
      expect.stringMatching(/^weak secret in devices\[0\] \(srv-idrac\)\.snmp\.community: /),
    ]);

    core.store.db
      .prepare(
        "INSERT INTO change_log (at, device, kind, object_key, old, new, detail) VALUES (?, 'srv-idrac', 'backup', '', 'ok', 'failed', ?)",
      )
      .run(
        clock.now(),
        JSON.stringify({ error: "snmp community idrac rejected; key f7c1-long-random-community" }),
      );
    await core.alerts.process();
    const text = replyToPlainText(chat.posts[0]!.reply);
    expect(text).toContain("— srv-idrac");
    expect(text).not.toContain("srv-[redacted]");
    expect(text).toContain("community [redacted] rejected; key [redacted]");
    expect(text).not.toContain("f7c1");
  });
});
