import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/lib/logger.js";
import { createSshRunner } from "../../src/lib/ssh/runner.js";
import type { SshRunner } from "../../src/lib/ssh/types.js";
import { alice, createHarness } from "../support/orch-harness.js";
import { type Sshd, startSshd } from "../support/sshd.js";

/**
 * A rolling run over real SSH (one local sshd on three loopback addresses = three hosts): while one host
 * runs its steps, the engine has the next host's connection prepared, one host ahead and no further. The
 * real runner is wrapped only to record the order of its calls.
 */
const HOSTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
let sshd: Sshd;
let h: ReturnType<typeof createHarness> | undefined;
const runners: SshRunner[] = [];

beforeAll(async () => {
  sshd = await startSshd({ extraAddresses: HOSTS });
}, 60_000);
afterEach(async () => {
  await h?.engine.idle();
  h?.cleanup();
  h = undefined;
  for (const r of runners.splice(0)) await r.close();
});
afterAll(async () => {
  await sshd?.stop();
});

const ROLLING = `name: rolling
runners: [role:ops]
targets: ["tag:web"]
steps:
  - { id: drain, for_each: targets, max_parallel: 1, ssh: { command: "true" } }
  - { id: restart, needs: [drain], for_each: targets, max_parallel: 1, ssh: { command: "true" } }
`;

describe("rolling run over ssh", { timeout: 60_000 }, () => {
  it("prepares the next host's connection while the current one works, never two hosts ahead", async () => {
    const real = createSshRunner({ logger: silentLogger() });
    runners.push(real);
    const events: string[] = [];
    const ssh: SshRunner = {
      warm(target) {
        events.push(`warm ${target.host}`);
        real.warm!(target);
      },
      async exec(target, command, options) {
        events.push(`exec ${target.host}`);
        return real.exec(target, command, options);
      },
      close: () => real.close(),
    };
    h = createHarness({
      runbooks: { "r.yaml": ROLLING },
      devices: HOSTS.map((host) => ({ name: host, host, tags: ["web"] })),
      ssh,
      sshTargetFor: (device) => sshd.target({ host: device, name: device }),
    });
    const id = h.engine.request({ runbook: "rolling", params: {}, user: alice, channel: "C1" }).run.id;
    await h.engine.idle();
    expect(h.journal.getRun(id)?.status).toBe("succeeded");
    const execs = events.filter((e) => e.startsWith("exec")).map((e) => e.slice(5));
    expect(new Set(execs)).toEqual(new Set(HOSTS));
    const firstExec = (host: string) => events.indexOf(`exec ${host}`);
    const lastExec = (host: string) => events.lastIndexOf(`exec ${host}`);
    const order = [...new Set(execs)];
    for (let i = 1; i < order.length; i++) {
      const warmedAt = events.indexOf(`warm ${order[i]}`);
      // Prepared before its first command (while the host before it works)…
      expect(warmedAt).toBeGreaterThanOrEqual(0);
      expect(warmedAt).toBeLessThan(firstExec(order[i]!));
      // …and one host ahead only: every host two places back was done by then.
      if (i >= 2) expect(warmedAt).toBeGreaterThan(lastExec(order[i - 2]!));
    }
    // Three hosts, three handshakes: preparing never opened a connection twice.
    expect((real as ReturnType<typeof createSshRunner>).stats().handshakes).toBe(3);
  });
});
