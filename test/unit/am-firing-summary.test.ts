import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replyToPlainText } from "../../src/chat/reply.js";
import { type AmGroupRepo, createAmGroupRepo } from "../../src/management/alertmanager/group-repo.js";
import type { AmWebhook } from "../../src/management/alertmanager/payload.js";
import { renderAmFiring } from "../../src/management/alertmanager/summary.js";
import { openStore, type Store } from "../../src/store/store.js";
import { tempDir } from "../support/temp.js";

const bob = { id: "U0BOB0001", name: "bob" };
const carol = { id: "U0CAROL01", name: "carol" };
const HOUR = 3_600_000;
const T0 = Date.parse("2026-12-01T10:00:00Z");

function delivery(name: string, instance: string, status: "firing" | "resolved", alerts = 1): AmWebhook {
  return {
    version: "4",
    groupKey: `{}:{alertname="${name}",instance="${instance}"}`,
    truncatedAlerts: 0,
    status,
    receiver: "opsbot",
    groupLabels: { alertname: name, instance },
    commonLabels: { alertname: name, instance },
    commonAnnotations: {},
    externalURL: "",
    alerts: Array.from({ length: alerts }, (_, i) => ({
      status,
      labels: { alertname: name, instance, disk: `sd${i}` },
      annotations: {},
      // The oldest alert of the group started first: the row says how long the group has fired.
      startsAt: new Date(T0 + i * HOUR).toISOString(),
      endsAt: "",
      generatorURL: "",
      fingerprint: `${name}-${instance}-${i}`,
    })),
  };
}

const plain = (blocks: ReturnType<typeof renderAmFiring>) => replyToPlainText({ blocks });

describe("Alertmanager groups firing (digest and App Home section)", () => {
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

  it("lists only firing groups, newest change first, with who silenced or acked them", () => {
    const disk = repo.merge(delivery("DiskFull", "db01", "firing", 3), "C1", T0 + 1000);
    const cpu = repo.merge(delivery("CpuHigh", "web02", "firing"), "C1", T0 + 2000);
    repo.merge(delivery("LinkDown", "sw1", "firing"), "C1", T0 + 3000);
    repo.merge(delivery("LinkDown", "sw1", "resolved"), "C1", T0 + 4000);
    repo.silenced(disk.id, { id: "s-1", by: bob, at: T0, until: T0 + 10 * HOUR });
    repo.acked(cpu.id, carol, T0 + 5000);

    const firing = repo.firing(10);
    expect(firing.total).toBe(2);
    expect(firing.groups.map((g) => g.id)).toEqual([cpu.id, disk.id]);

    const text = plain(renderAmFiring(firing, T0 + 5 * HOUR));
    expect(text).toContain("Alertmanager groups firing (2)");
    expect(text).toMatch(new RegExp(`am:${disk.id}.*DiskFull.*db01.*3.*5h.*silenced by bob`));
    expect(text).toMatch(new RegExp(`am:${cpu.id}.*CpuHigh.*web02.*1.*acked by carol`));
    expect(text).not.toContain("LinkDown");
  });

  it("says how many fire when it shows fewer, and that none fire when none do", () => {
    expect(plain(renderAmFiring(repo.firing(5), T0))).toContain(
      "No Alertmanager group delivered to opsbot is firing.",
    );
    for (let i = 0; i < 4; i++) repo.merge(delivery("DiskFull", `db0${i}`, "firing"), "C1", T0 + i);
    const firing = repo.firing(2);
    expect(firing).toMatchObject({ total: 4 });
    expect(firing.groups).toHaveLength(2);
    expect(plain(renderAmFiring(firing, T0))).toContain("4 firing, the 2 latest shown");
  });

  it("does not call an expired silence a silence", () => {
    const g = repo.merge(delivery("DiskFull", "db01", "firing"), "C1", T0);
    repo.silenced(g.id, { id: "s-1", by: bob, at: T0, until: T0 + HOUR });
    expect(plain(renderAmFiring(repo.firing(5), T0 + 30 * 60_000))).toContain("silenced by bob");
    expect(plain(renderAmFiring(repo.firing(5), T0 + 2 * HOUR))).not.toContain("silenced");
  });
});
