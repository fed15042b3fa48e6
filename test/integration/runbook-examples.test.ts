import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatUser } from "../../src/lib/actor.js";
import { silentLogger } from "../../src/lib/logger.js";
import { createSshRunner, type PooledSshRunner } from "../../src/lib/ssh/runner.js";
import { createMemoryFleetView } from "../../src/orchestration/management-port.js";
import { createHarness } from "../support/orch-harness.js";
import { waitFor } from "../support/orch-wait.js";
import { type Sshd, startSshd } from "../support/sshd.js";

/**
 * The example runbooks under runbooks/, run end to end against a real sshd that stands in for
 * several hosts (one loopback address each); the commands they call (sudo, socat, deploy-release,
 * curl, sonic-installer…) are recording stand-ins from test/fixtures/runbooks/bin.
 */
const REPO = resolve(import.meta.dirname, "../..");
const DEVICES = [
  { name: "lb1", host: "127.0.0.1", tags: ["lb"] },
  { name: "web1", host: "127.0.0.2", tags: ["web"] },
  { name: "web2", host: "127.0.0.3", tags: ["web"] },
  { name: "web3", host: "127.0.0.4", tags: ["web"] },
  { name: "switch1", host: "127.0.0.5", tags: ["switch"] },
];
const requester: ChatUser = { id: "U1", name: "alice", roles: ["deployers"] };
const deployer: ChatUser = { id: "U2", name: "bob", roles: ["deployers", "netops", "ops"] };
const netop: ChatUser = { id: "U3", name: "carol", roles: ["netops"] };

let sshd: Sshd;
let runner: PooledSshRunner;
let h: ReturnType<typeof createHarness> | undefined;
const sleeps: number[] = [];

beforeAll(async () => {
  sshd = await startSshd({
    binDir: join(REPO, "test/fixtures/runbooks/bin"),
    extraAddresses: DEVICES.slice(1).map((d) => d.host),
  });
  runner = createSshRunner({ logger: silentLogger() });
}, 60_000);

afterAll(async () => {
  await runner?.close();
  await sshd?.stop();
});

afterEach(async () => {
  await h?.engine.idle();
  h?.cleanup();
  h = undefined;
  rmSync(join(sshd.fixtureDir, "calls"), { force: true });
  for (const f of ["unhealthy", "fail-deploy-release"]) rmSync(join(sshd.fixtureDir, f), { force: true });
  sleeps.length = 0;
});

function harness(fleet = createMemoryFleetView()) {
  const harnessed = createHarness({
    devices: DEVICES,
    fleet,
    ssh: runner,
    sshTargetFor: (name) => {
      const d = DEVICES.find((x) => x.name === name);
      return d ? sshd.target({ name, host: d.host }) : undefined;
    },
    // Waits and retry backoffs pass instantly (recorded); everything else is real.
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  cpSync(join(REPO, "runbooks"), harnessed.runbookDir, { recursive: true });
  harnessed.catalog.reload();
  return harnessed;
}

const calls = () => {
  const file = join(sshd.fixtureDir, "calls");
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
};
const done = (id: number) =>
  waitFor(
    () => ["succeeded", "failed", "cancelled"].includes(h!.journal.getRun(id)?.status ?? ""),
    60_000,
    `run ${id}`,
  );

function healthyFleet() {
  const at = Date.now();
  const ports = [{ name: "Ethernet0", alias: "uplink", adminStatus: "up", operStatus: "up" }];
  const drives = [{ name: "sda", status: "ok" }];
  return createMemoryFleetView(
    Object.fromEntries(
      DEVICES.map((d) => [d.name, { at, reachable: true, ports, drives, firmware: "4.1.0" }]),
    ),
  );
}

describe("example runbooks against simulated targets", () => {
  it("every example validates", () => {
    h = harness();
    expect(h.catalog.problems()).toEqual([]);
    expect(h.catalog.list().map((v) => v.name)).toEqual([
      "firmware-upgrade",
      "service-restart",
      "web-deploy",
    ]);
  });

  it("web-deploy rolls one host at a time: drain, deploy, health gate, re-enable", async () => {
    h = harness(healthyFleet());
    writeFileSync(join(sshd.fixtureDir, "unhealthy"), "2");
    const r = h.engine.request({
      runbook: "web-deploy",
      params: { version: "v1.4.2" },
      user: requester,
      channel: "C1",
    });
    expect(r.run.status).toBe("pending");
    expect(h.engine.decide({ approvalId: r.approvalId!, user: deployer, decision: "approve" }).outcome).toBe(
      "approved",
    );
    await done(r.run.id);
    expect(h.journal.getRun(r.run.id)?.status).toBe("succeeded");
    const perHost = (ip: string, name: string) => [
      `127.0.0.1 socat stdio /run/haproxy/admin.sock <<< disable server web/${name}`,
      `${ip} deploy-release v1.4.2`,
      `${ip} curl -fsS --max-time 5 http://127.0.0.1/healthz`,
    ];
    const web1 = perHost("127.0.0.2", "web1");
    expect(calls()).toEqual([
      // web1's health check fails twice first (retried: idempotent), the others pass at once.
      ...web1,
      web1[2],
      web1[2],
      "127.0.0.1 socat stdio /run/haproxy/admin.sock <<< enable server web/web1",
      ...perHost("127.0.0.3", "web2"),
      "127.0.0.1 socat stdio /run/haproxy/admin.sock <<< enable server web/web2",
      ...perHost("127.0.0.4", "web3"),
      "127.0.0.1 socat stdio /run/haproxy/admin.sock <<< enable server web/web3",
    ]);
    expect(sleeps).toEqual([3000, 6000]);
    expect(h.posts.at(-1)?.text).toBe("Deployed v1.4.2 to the web tier, one host at a time.");
  });

  it("web-deploy stops at the first failed host, rolls it back and touches no other host", async () => {
    h = harness(healthyFleet());
    writeFileSync(join(sshd.fixtureDir, "fail-deploy-release"), "");
    const r = h.engine.request({
      runbook: "web-deploy",
      params: { version: "v1.4.3" },
      user: requester,
      channel: "C1",
    });
    h.engine.decide({ approvalId: r.approvalId!, user: deployer, decision: "approve" });
    await done(r.run.id);
    expect(h.journal.getRun(r.run.id)).toMatchObject({
      status: "failed",
      statusReason: "step deploy@web1 failed",
    });
    expect(calls()).toEqual([
      "127.0.0.1 socat stdio /run/haproxy/admin.sock <<< disable server web/web1",
      "127.0.0.2 deploy-release v1.4.3",
      "127.0.0.2 deploy-release --rollback",
    ]);
    expect(h.journal.getStep(r.run.id, "deploy-rollback@web1")?.status).toBe("succeeded");
    expect(
      h.journal
        .output(r.run.id, "deploy@web1")
        .map((o) => o.text)
        .join(""),
    ).toContain("checksum mismatch");
  });

  it("firmware-upgrade gates on management state before and after, with two approvals", async () => {
    const fleet = healthyFleet();
    h = harness(fleet);
    h.engine.subscribe((e) => {
      // The simulated switch comes back on the new version once the reboot step has run.
      if (e.type === "step" && e.key === "reboot" && e.status === "succeeded") {
        fleet.set("switch1", { at: Date.now(), reachable: true, ports: [], drives: [], firmware: "4.2.1" });
      }
    });
    const params = { device: "switch1", image: "sonic-4.2.1.bin", version: "4.2.1" };
    const r = h.engine.request({ runbook: "firmware-upgrade", params, user: requester, channel: "C1" });
    expect(h.engine.decide({ approvalId: r.approvalId!, user: deployer, decision: "approve" }).outcome).toBe(
      "counted",
    );
    expect(h.engine.decide({ approvalId: r.approvalId!, user: netop, decision: "approve" }).outcome).toBe(
      "approved",
    );
    await done(r.run.id);
    expect(h.journal.getRun(r.run.id)?.status).toBe("succeeded");
    expect(calls()).toEqual([
      "127.0.0.5 sonic-installer install -y https://images.example.net/sonic/sonic-4.2.1.bin",
      "127.0.0.5 systemd-run --on-active=5 /sbin/reboot",
    ]);
    expect(sleeps).toEqual([300_000]);
    const post = h.journal
      .output(r.run.id, "post-check")
      .map((o) => o.text)
      .join("");
    expect(post).toContain("ok   firmware ≥ 4.2.1: running 4.2.1");
    expect(h.posts.at(-1)?.text).toBe("switch1 now runs 4.2.1.");
  });

  it("firmware-upgrade does not touch a switch whose ports are down", async () => {
    const fleet = healthyFleet();
    fleet.set("switch1", {
      at: Date.now(),
      reachable: true,
      ports: [{ name: "Ethernet4", alias: "uplink-2", adminStatus: "up", operStatus: "down" }],
      drives: [],
      firmware: "4.1.0",
    });
    h = harness(fleet);
    const params = { device: "switch1", image: "sonic-4.2.1.bin", version: "4.2.1" };
    const r = h.engine.request({ runbook: "firmware-upgrade", params, user: requester, channel: "C1" });
    h.engine.decide({ approvalId: r.approvalId!, user: deployer, decision: "approve" });
    h.engine.decide({ approvalId: r.approvalId!, user: netop, decision: "approve" });
    await done(r.run.id);
    expect(h.journal.getStep(r.run.id, "pre-check")).toMatchObject({
      status: "failed",
      error: "gate: all ports up (down: Ethernet4)",
    });
    expect(calls()).toEqual([]);
  });

  it("service-restart restarts the unit on the host and checks it", async () => {
    h = harness();
    const r = h.engine.request({
      runbook: "service-restart",
      params: { host: "web2", service: "nginx" },
      user: requester,
      channel: "C1",
    });
    h.engine.decide({ approvalId: r.approvalId!, user: deployer, decision: "approve" });
    await done(r.run.id);
    expect(h.journal.getRun(r.run.id)?.status).toBe("succeeded");
    expect(calls()).toEqual(["127.0.0.3 systemctl restart nginx", "127.0.0.3 systemctl is-active nginx"]);
  });
});
