import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/lib/logger.js";
import { createLifecycle, type Part } from "../../src/runtime/lifecycle.js";

const recorder = () => {
  const log: string[] = [];
  const part = (name: string, extra: Partial<Part> = {}): Part => ({
    name,
    start: () => {
      log.push(`start ${name}`);
    },
    stop: () => {
      log.push(`stop ${name}`);
    },
    ...extra,
  });
  return { log, part };
};

describe("lifecycle", () => {
  it("starts in order, stops in reverse, and places added parts before or after a named one", async () => {
    const { log, part } = recorder();
    const l = createLifecycle(silentLogger(), [part("store"), part("poller"), part("chat")]);
    l.add(part("ops-http"), { before: "chat" });
    l.add(part("lease"), { after: "store" });
    expect(l.names()).toEqual(["store", "lease", "poller", "ops-http", "chat"]);
    await l.start();
    await l.stop();
    await l.stop(); // each part stops once
    expect(log).toEqual([
      "start store",
      "start lease",
      "start poller",
      "start ops-http",
      "start chat",
      "stop chat",
      "stop ops-http",
      "stop poller",
      "stop lease",
      "stop store",
    ]);
    expect(() => l.add(part("x"), { before: "nope" })).toThrow(/no part named "nope"/);
  });

  it("a failing start stops what already started, and a failing stop does not stop the others", async () => {
    const { log, part } = recorder();
    const l = createLifecycle(silentLogger(), [
      part("store"),
      part("broken-stop", { stop: () => Promise.reject(new Error("boom")) }),
      part("lease", {
        start: () => {
          throw new Error("held by someone else");
        },
      }),
      part("chat"),
    ]);
    await expect(l.start()).rejects.toThrow(/held by someone else/);
    expect(log).toEqual(["start store", "start broken-stop", "stop store"]);
  });

  it("a reload stops only the config parts; parts that must always close do so even unstarted", async () => {
    const { log, part } = recorder();
    const l = createLifecycle(
      silentLogger(),
      [part("store"), part("lease", { process: true }), part("poller"), part("chat", { process: true })],
      (p) => p.name === "store",
    );
    await l.start();
    log.length = 0;
    await l.stop({ reload: true });
    expect(log).toEqual(["stop poller", "stop store"]);
    const never = recorder();
    const unstarted = createLifecycle(
      silentLogger(),
      [never.part("store"), never.part("poller")],
      (p) => p.name === "store",
    );
    await unstarted.stop();
    await unstarted.stop();
    expect(never.log).toEqual(["stop store"]);
  });
});
