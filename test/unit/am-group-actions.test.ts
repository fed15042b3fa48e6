import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { type AmGroupRepo, createAmGroupRepo } from "../../src/management/alertmanager/group-repo.js";
import type { AmWebhook } from "../../src/management/alertmanager/payload.js";
import { renderAmGroup } from "../../src/management/alertmanager/render.js";
import { openStore, type Store } from "../../src/store/store.js";
import { tempDir } from "../support/temp.js";

const bob = { id: "U0BOB0001", name: "bob" };

function delivery(status: "firing" | "resolved", annotations: Record<string, string> = {}): AmWebhook {
  return {
    version: "4",
    groupKey: '{}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status,
    receiver: "opsbot",
    groupLabels: { alertname: "DiskFull" },
    commonLabels: { alertname: "DiskFull", instance: "db01" },
    commonAnnotations: annotations,
    externalURL: "",
    alerts: [
      {
        status,
        labels: { alertname: "DiskFull", instance: "db01" },
        annotations,
        startsAt: "2026-12-01T10:00:00Z",
        endsAt: "",
        generatorURL: "",
        fingerprint: "f1",
      },
    ],
  };
}

describe("Alertmanager group actions (store and message)", () => {
  let dir: ReturnType<typeof tempDir>;
  let store: Store;
  let repo: AmGroupRepo;

  beforeEach(() => {
    dir = tempDir();
    store = openStore(join(dir.path, "am.db"));
    repo = createAmGroupRepo(store);
  });
  afterEach(() => {
    store.close();
    dir.cleanup();
  });

  it("keeps one silence per group (a second record loses) and forgets only the one it names", () => {
    const g = repo.merge(delivery("firing"), "C1", 1000);
    expect(g.id).toBe(1);
    expect(repo.silenced(g.id, { id: "s1", by: bob, at: 1000, until: 5000 })).toBe(true);
    expect(repo.silenced(g.id, { id: "s2", by: bob, at: 1000, until: 5000 })).toBe(false);
    expect(repo.unsilenced(g.id, "s2")).toBe(false);
    expect(repo.byId(g.id)!.silence).toMatchObject({ id: "s1", by: bob, until: 5000 });
    // A redelivery never touches what people did.
    repo.merge(delivery("firing"), "C1", 2000);
    expect(repo.byId(g.id)!.silence?.id).toBe("s1");
    expect(repo.unsilenced(g.id, "s1")).toBe(true);
    expect(repo.byId(g.id)!.silence).toBeNull();
  });

  it("an ack is durable and first-wins; it ends when the group resolves and fires again", () => {
    const g = repo.merge(delivery("firing"), "C1", 1000);
    expect(repo.acked(g.id, bob, 1500)).toBe(true);
    expect(repo.acked(g.id, { id: "U2", name: "carol" }, 1600)).toBe(false);
    expect(createAmGroupRepo(store).byId(g.id)!.ack).toEqual({ by: bob, at: 1500 });
    repo.merge(delivery("resolved"), "C1", 2000);
    expect(repo.byId(g.id)!.ack).not.toBeNull();
    repo.merge(
      {
        ...delivery("firing"),
        alerts: [{ ...delivery("firing").alerts[0]!, startsAt: "2026-12-01T11:00:00Z" }],
      },
      "C1",
      3000,
    );
    expect(repo.byId(g.id)!.ack).toBeNull();
  });

  it("renders who silenced until when and who acked; buttons follow the state", () => {
    const g = repo.merge(delivery("firing", { opsbot_runbook: "svc-restart host=db01" }), "C1", 1000);
    const ids = (r: ReturnType<typeof renderAmGroup>) =>
      r.blocks.flatMap((b) => (b.type === "buttons" ? b.buttons.map((x) => `${x.actionId}=${x.value}`) : []));
    expect(ids(renderAmGroup(g, { now: 1000, silences: true }))).toEqual([
      "am.ack=1",
      "am.silence=1:1h",
      "am.silence=1:1d",
      "am.run=1:f1",
    ]);
    // Without alertmanager.api no Silence is offered (it could not work).
    expect(ids(renderAmGroup(g, { now: 1000, silences: false }))).toEqual(["am.ack=1", "am.run=1:f1"]);
    repo.silenced(g.id, { id: "s1", by: bob, at: 1000, until: 3_600_000 });
    repo.acked(g.id, { id: "U2", name: "carol" }, 1200);
    const shown = renderAmGroup(repo.byId(g.id)!, { now: 2000, silences: true });
    expect(ids(shown)).toEqual(["am.run=1:f1", "am.unsilence=1"]);
    const text = replyToPlainText(shown);
    expect(text).toContain("Silenced in Alertmanager by bob until");
    expect(text).toContain("Acked by carol");
    // Once the silence's time is over the message says it ended and offers Silence again.
    const later = renderAmGroup(repo.byId(g.id)!, { now: 3_600_001, silences: true });
    expect(replyToPlainText(later)).toContain("The silence by bob (silence s1) expired at");
    expect(ids(later)).toContain("am.silence=1:1h");
  });

  it("an ended silence is recorded once and the message says how it ended", () => {
    const g = repo.merge(delivery("firing"), "C1", 1000);
    repo.silenced(g.id, { id: "s1", by: bob, at: 1000, until: 3_600_000 });
    expect(repo.openSilences().map((x) => x.id)).toEqual([g.id]);
    expect(repo.silenceEnded(g.id, "other", 2000, "gone")).toBe(false);
    expect(repo.silenceEnded(g.id, "s1", 2000, "gone")).toBe(true);
    expect(repo.silenceEnded(g.id, "s1", 3000, "expired")).toBe(false); // once
    expect(repo.openSilences()).toEqual([]);
    const shown = replyToPlainText(renderAmGroup(repo.byId(g.id)!, { now: 2500, silences: true }));
    expect(shown).toContain("The silence by bob (silence s1) is no longer in Alertmanager");
    expect(JSON.stringify(renderAmGroup(repo.byId(g.id)!, { now: 2500, silences: true }))).toContain(
      "am.silence",
    );
    // A new silence starts clean.
    repo.unsilenced(g.id, "s1");
    repo.silenced(g.id, { id: "s2", by: bob, at: 4000, until: 9000 });
    expect(repo.byId(g.id)!.silence).toMatchObject({ id: "s2", ended: null });
    expect(repo.silenceMoved(g.id, "s2", 12_000)).toBe(true);
    expect(repo.byId(g.id)!.silence?.until).toBe(12_000);
  });

  it("a malformed opsbot_runbook offers no Run button and says why", () => {
    const g = repo.merge(delivery("firing", { opsbot_runbook: "svc-restart db01" }), "C1", 1000);
    const r = renderAmGroup(g, { now: 1000, silences: true });
    expect(JSON.stringify(r)).not.toContain("am.run");
    expect(replyToPlainText(r)).toContain(
      `No Run button for db01: its opsbot_runbook annotation is malformed — "db01" is not a key=value parameter.`,
    );
  });
});
