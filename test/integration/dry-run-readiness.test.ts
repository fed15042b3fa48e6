import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { recordPoll } from "../../src/management/record-poll.js";
import { createStateRepo } from "../../src/management/state-repo.js";
import { type TestCore, testCore } from "../support/core.js";
import { observation, port } from "../support/mgmt-fixtures.js";
import { runbooksDir } from "../support/runbooks-dir.js";

/**
 * Issue 14: a dry run (and the request, before anyone is asked to approve) checks what the run will
 * need: SSH settings and pinned host keys of every device a step reaches, gate data, parameter values.
 * Gates after a state-changing step are "checked when reached". Real router, real store, real files.
 */
const UPGRADE = `name: upgrade
params:
  device: { type: device }
  version: { type: string, pattern: "[0-9.]+" }
targets: ["{{ params.device }}"]
approvers: [role:netops]
steps:
  - id: pre-check
    gate: { reachable: true, ports_up: true }
  - id: install
    needs: [pre-check]
    ssh: { command: "install {{ params.version }}" }
  - id: post-check
    needs: [install]
    gate: { firmware: { at_least: "{{ params.version }}" } }
`;
const OPTIONAL = `name: optional-flag
params:
  host: { type: device }
  flag: { type: string, required: false }
targets: ["{{ params.host }}"]
steps:
  - id: go
    ssh: { command: "do-it {{ params.flag }}" }
`;
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHht9x+VVyEARhDNogcDKCsi7PvCkOCYIneJwMTvI4fU";

let core: TestCore;
let dir: ReturnType<typeof runbooksDir>;

beforeEach(() => {
  dir = runbooksDir({ upgrade: UPGRADE, "optional-flag": OPTIONAL });
  const knownHosts = join(dir.path, "known_hosts");
  writeFileSync(knownHosts, `10.9.9.9 ${KEY}\n`);
  const ssh = (extra: string) => `{ user: ops, key_file: /nonexistent/key, ${extra} }`;
  core = testCore(`roles: { admin: [alice], netops: [bob] }
${dir.orchestrationYaml}
devices:
  - { name: edge-sw3, host: 127.0.0.1 }
  - { name: pinless, host: 127.0.0.2, ssh: ${ssh(`known_hosts: ${JSON.stringify(knownHosts)}`)} }
  - { name: ready, host: 127.0.0.3, ssh: ${ssh(`host_key: "${KEY}"`)} }
  - { name: unpolled, host: 127.0.0.4, ssh: ${ssh(`host_key: "${KEY}"`)} }
`);
  const repo = createStateRepo(core.store);
  for (const name of ["edge-sw3", "pinless", "ready"])
    recordPoll(core.store, repo, observation(name, core.clock.now(), { interfaces: [port(1)] }));
});

afterEach(async () => {
  await core.services.orchestration?.idle();
  core.cleanup();
  dir.cleanup();
});

const say = async (text: string, as = "alice") => {
  const r = await core.ask(text, as);
  return { ...r, text: replyToPlainText(r.reply) };
};

describe("dry runs check what the run will hit", () => {
  it("a device without ssh settings fails the dry run, and the request is refused before approval", async () => {
    const dry = await say("run upgrade device=edge-sw3 version=4.2.1 --dry-run");
    expect(dry.outcome).toBe("user_error");
    expect(dry.text).toContain("cannot succeed as configured");
    expect(dry.text).toContain("step install: device edge-sw3 has no ssh settings");
    const req = await say("run upgrade device=edge-sw3 version=4.2.1");
    expect(req.outcome).toBe("user_error");
    expect(req.text).toContain("Nothing was requested");
    expect(req.text).toContain("device edge-sw3 has no ssh settings");
    expect(core.services.orchestration.runs()).toHaveLength(0);
    expect(core.chat.posts).toHaveLength(0); // nobody was asked to approve
  });

  it("a host key that is not pinned for the device's address fails it too", async () => {
    const dry = await say("run upgrade device=pinless version=4.2.1 --dry-run");
    expect(dry.text).toContain("SSH host key of pinless is not usable");
    expect(dry.text).toContain("has no key for 127.0.0.2 port 22");
  });

  it("a gate on a device opsbot never polled is a problem, not a surprise after the approvals", async () => {
    const dry = await say("run upgrade device=unpolled version=4.2.1 --dry-run");
    expect(dry.text).toContain("steps pre-check, post-check: opsbot has no management data for unpolled");
  });

  it("gates after a state-changing step are checked when reached, not failed now", async () => {
    const dry = await say("run upgrade device=ready version=4.2.1 --dry-run");
    expect(dry.outcome).toBe("ok");
    expect(dry.text).not.toContain("cannot succeed");
    const post = dry.text.slice(dry.text.indexOf("post-check (after install)"));
    expect(post).toContain("checked when reached");
    expect(post).not.toContain("FAIL");
    // The gate before any change is evaluated now.
    expect(dry.text).toMatch(/ok {3}reachable: reachable/);
    const req = await say("run upgrade device=ready version=4.2.1");
    expect(req.outcome).toBe("ok");
    expect(req.text).toContain("waiting for approval");
  });

  it("an optional parameter without a default rendered into a command fails validation", async () => {
    const list = await say("runbooks");
    expect(list.text).toContain('optional parameter "flag" has no default');
    const run = await say("run optional-flag host=ready --dry-run");
    expect(run.outcome).not.toBe("ok");
  });
});
