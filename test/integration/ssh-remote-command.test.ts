import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/lib/logger.js";
import { createSshRunner, type PooledSshRunner } from "../../src/lib/ssh/runner.js";
import { type Sshd, startSshd } from "../support/sshd.js";

/**
 * What a posix command sees through the wrapper (remote-command.ts): the login shell forks the
 * watchdog and `exec`s `sh -c <command>`. Real sshd; each case could break if the wrapper held the
 * channel, fed it stdin, or made the watchdog the command's child.
 */
let sshd: Sshd;
let runner: PooledSshRunner;

beforeAll(async () => {
  sshd = await startSshd();
  runner = createSshRunner({ logger: silentLogger() });
}, 60_000);

afterAll(async () => {
  await runner?.close();
  await sshd?.stop();
});

describe("a posix command through the wrapper", { timeout: 60_000 }, () => {
  it("reads /dev/null, so a command that reads stdin ends at once", async () => {
    const r = await runner.exec(sshd.target(), "cat; read -r line || echo 'no input'", { timeoutMs: 20_000 });
    expect(r).toMatchObject({ exitCode: 0, stdout: "no input\n", timedOut: false });
  });

  it("`wait` in the command waits for its own jobs only, never for the watchdog", async () => {
    const r = await runner.exec(sshd.target(), "sleep 0.2 & wait; echo waited", { timeoutMs: 20_000 });
    expect(r).toMatchObject({ exitCode: 0, stdout: "waited\n", timedOut: false });
  });

  it("streams partial lines as they come and keeps stdout and stderr apart", async () => {
    const chunks: string[] = [];
    const r = await runner.exec(sshd.target(), "printf a; sleep 0.3; printf 'b\\nc'; printf oops >&2", {
      timeoutMs: 20_000,
      onData: (chunk, stream) => {
        if (stream === "stdout") chunks.push(chunk);
      },
    });
    expect(r).toMatchObject({ exitCode: 0, stdout: "ab\nc", stderr: "oops" });
    // "a" was written before the sleep: it reached us on its own, without a newline.
    expect(chunks[0]).toBe("a");
  });

  it("waits for output a background job writes after the command exited, and does not kill that job", async () => {
    const r = await runner.exec(sshd.target(), "(sleep 0.3; echo late) & echo early", { timeoutMs: 20_000 });
    expect(r).toMatchObject({ exitCode: 0, stdout: "early\nlate\n" });
  });

  it("passes the command's exit code through, 0 to 255", async () => {
    for (const code of [0, 1, 7, 255]) {
      const r = await runner.exec(sshd.target(), `exit ${code}`, { timeoutMs: 20_000 });
      expect(r).toMatchObject({ exitCode: code, timedOut: false });
    }
  });

  it("reports a command killed by a signal as that signal", async () => {
    const r = await runner.exec(sshd.target(), "kill -USR1 $$; sleep 5", { timeoutMs: 20_000 });
    expect(r).toMatchObject({ exitCode: null, signal: "SIGUSR1", timedOut: false });
  });
});
