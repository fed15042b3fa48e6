import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { type AmGroupRepo, createAmGroupRepo } from "../../src/management/alertmanager/group-repo.js";
import type { AmWebhook } from "../../src/management/alertmanager/payload.js";
import { renderAmGroup } from "../../src/management/alertmanager/render.js";
import type { SuggestionCheck } from "../../src/management/alertmanager/runbook-annotation.js";
import { checkRequest } from "../../src/orchestration/request-check.js";
import { createHarness } from "../support/orch-harness.js";

/**
 * A suggested runbook is judged when its message renders, by orchestration's own `run` checks (the
 * real engine's preview over a real runbook catalog and SQLite file), and a catalog reload shows at
 * the next rendering.
 */
const RESTART = `name: svc-restart
params:
  host: { type: device }
  service: { type: string, pattern: "[a-z0-9@._-]+" }
runners: [role:oncall]
steps:
  - id: only
    local: { command: "echo {{ params.service }} {{ params.host }}" }
`;

function delivery(annotations: Record<string, string>[]): AmWebhook {
  return {
    version: "4",
    groupKey: '{}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status: "firing",
    receiver: "opsbot",
    groupLabels: { alertname: "DiskFull" },
    commonLabels: { alertname: "DiskFull" },
    commonAnnotations: {},
    externalURL: "",
    alerts: annotations.map((a, i) => ({
      status: "firing" as const,
      labels: { alertname: "DiskFull", instance: `db0${i + 1}` },
      annotations: a,
      startsAt: "2026-12-01T10:00:00Z",
      endsAt: "",
      generatorURL: "",
      fingerprint: `f${i + 1}`,
    })),
  };
}

describe("opsbot_runbook suggestions checked at rendering", () => {
  let h: ReturnType<typeof createHarness>;
  let repo: AmGroupRepo;
  let checkRun: SuggestionCheck;

  beforeEach(() => {
    h = createHarness({
      runbooks: { "svc-restart.yaml": RESTART },
      devices: [{ name: "db01", host: "127.0.0.1", tags: [] }],
    });
    repo = createAmGroupRepo(h.store);
    const o = {
      preview: h.engine.preview,
      runbook: (n: string) => h.catalog.get(n),
      runbooks: () => h.catalog.list(),
    };
    checkRun = (runbook, params) => checkRequest(o, runbook, params);
    expect(h.catalog.problems()).toEqual([]);
  });
  afterEach(() => h.cleanup());

  const render = () =>
    renderAmGroup(repo.get('{}:{alertname="DiskFull"}')!, { now: 0, silences: false, checkRun });
  const runButtons = (r: ReturnType<typeof render>) =>
    r.blocks.flatMap((b) =>
      b.type === "buttons" ? b.buttons.filter((x) => x.actionId === "am.run").map((x) => x.value) : [],
    );

  it("a runbook `run` would take gets its button; one that does not exist, or whose params it refuses, says why instead", () => {
    repo.merge(
      delivery([
        { opsbot_runbook: "svc-restart host=db01 service=nginx" },
        { opsbot_runbook: "svc-restrat host=db01 service=nginx" },
        { opsbot_runbook: "svc-restart host=db09 service=nginx colour=red" },
        { opsbot_runbook: "svc-restart host=db01" },
        { opsbot_runbook: "svc-restart host=db01 service='rm -rf /'" },
      ]),
      "C1",
      1000,
    );
    const r = render();
    expect(runButtons(r)).toEqual(["1:f1"]);
    const text = replyToPlainText(r);
    expect(text).toContain(
      "No Run button for db02: runbook `svc-restrat` suggested by the alert does not exist (did you mean `svc-restart`?).",
    );
    expect(text).toMatch(
      /No Run button for db03: runbook `svc-restart` suggested by the alert refuses its parameters — unknown parameter colour .*; parameter host: no configured device named "db09"/,
    );
    expect(text).toContain(
      "No Run button for db04: runbook `svc-restart` suggested by the alert refuses its parameters — parameter service is required",
    );
    expect(text).toContain('parameter service: "rm -rf /" does not match');
  });

  it("a reload of the runbook catalog shows at the next rendering, both ways", () => {
    repo.merge(
      delivery([
        { opsbot_runbook: "svc-restart host=db01 service=nginx" },
        { opsbot_runbook: "disk-clean host=db01" },
      ]),
      "C1",
      1000,
    );
    expect(runButtons(render())).toEqual(["1:f1"]);
    h.writeRunbook(
      "disk-clean.yaml",
      `name: disk-clean
params: { host: { type: device } }
runners: [role:oncall]
steps:
  - id: only
    local: { command: "echo {{ params.host }}" }
`,
    );
    rmSync(join(h.runbookDir, "svc-restart.yaml"));
    h.catalog.reload();
    const after = render();
    expect(runButtons(after)).toEqual(["1:f2"]);
    expect(replyToPlainText(after)).toContain("runbook `svc-restart` suggested by the alert does not exist");
  });
});
