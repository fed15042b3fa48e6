import { describe, expect, it } from "vitest";
import { createAgentLimiter } from "../../src/management/collectors/snmp/agent-limiter.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("agent limiter", () => {
  it("never runs more than the limit per agent, and agents do not block each other", async () => {
    const limiter = createAgentLimiter(2);
    const gates = Array.from({ length: 5 }, deferred);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const tasks = gates.map((gate, i) =>
      limiter.run("a:161", async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    const other = limiter.run("b:161", async () => "b");
    await expect(other).resolves.toBe("b");
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.inFlight("a:161")).toBe(2);
    gates[1]!.resolve();
    await tasks[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    await expect(Promise.all(tasks)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(limiter.inFlight("a:161")).toBe(0);
  });

  it("frees the slot when a task fails", async () => {
    const limiter = createAgentLimiter(1);
    await expect(limiter.run("a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(limiter.run("a", async () => "next")).resolves.toBe("next");
    expect(limiter.inFlight("a")).toBe(0);
  });

  it("rejects a nonsensical limit", () => {
    expect(() => createAgentLimiter(0)).toThrow(/positive integer/);
  });
});
