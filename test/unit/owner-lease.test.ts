import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOwnerLeaseRepo } from "../../src/store/owner-lease.js";
import { openStore, type Store } from "../../src/store/store.js";
import { tempDir } from "../support/temp.js";

const claim = (holder: string, pid = 100) => ({ holder, pid, host: "h1", mode: "start", socket: "/x.sock" });
const STALE = 15_000;

describe("owner lease (two connections to one real SQLite file, like two processes)", () => {
  let dir: ReturnType<typeof tempDir>;
  let a: Store;
  let b: Store;
  beforeEach(() => {
    dir = tempDir();
    a = openStore(join(dir.path, "o.db"));
    b = openStore(join(dir.path, "o.db"));
  });
  afterEach(() => {
    a.close();
    b.close();
    dir.cleanup();
  });

  it("one holder at a time; a live holder is named to whoever is refused", () => {
    const ra = createOwnerLeaseRepo(a);
    const rb = createOwnerLeaseRepo(b);
    expect(ra.tryAcquire(claim("A"), 1000, STALE)).toEqual({ ok: true });
    const refused = rb.tryAcquire(claim("B", 200), 2000, STALE);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.holder).toMatchObject({ holder: "A", pid: 100, host: "h1", mode: "start" });
    // Renewing moves the expiry: still refused just past the first expiry.
    expect(ra.renew("A", 10_000, STALE)).toBe(true);
    expect(rb.tryAcquire(claim("B"), 1000 + STALE + 1, STALE).ok).toBe(false);
    // Re-acquiring our own lease keeps its acquired time.
    expect(ra.tryAcquire(claim("A"), 11_000, STALE).ok).toBe(true);
    expect(rb.read()?.acquiredAt).toBe(1000);
  });

  it("a stale holder is taken over, and then learns it lost the lease", () => {
    const ra = createOwnerLeaseRepo(a);
    const rb = createOwnerLeaseRepo(b);
    ra.tryAcquire(claim("A"), 1000, STALE);
    const took = rb.tryAcquire(claim("B", 200), 1000 + STALE, STALE);
    expect(took.ok && took.tookOverFrom?.holder).toBe("A");
    expect(ra.renew("A", 1000 + STALE + 1, STALE)).toBe(false);
    expect(ra.read()).toMatchObject({ holder: "B", pid: 200, acquiredAt: 1000 + STALE });
    // A holder releases only its own lease.
    ra.release("A");
    expect(rb.read()?.holder).toBe("B");
    rb.release("B");
    expect(ra.read()).toBeUndefined();
  });
});
