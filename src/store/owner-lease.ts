import type { Store } from "./store.js";

/** Who holds the owner lease of a database (table owner_lease, one row). */
export interface LeaseHolder {
  holder: string;
  pid: number;
  host: string;
  mode: string;
  acquiredAt: number;
  heartbeatAt: number;
  expiresAt: number;
  socket: string | null;
}

export interface LeaseClaim {
  holder: string;
  pid: number;
  host: string;
  mode: string;
  socket?: string | undefined;
}

export type AcquireResult = { ok: true; tookOverFrom?: LeaseHolder } | { ok: false; holder: LeaseHolder };

/**
 * The owner lease: a compare-and-set on one row. A claim wins when the row is free, already ours, or
 * expired (its holder stopped renewing: crashed, killed, or hung past the stale window). Every write
 * is a single conditional statement, so the same contract holds for any number of processes — and,
 * with the same table in a shared database, for replicas on several machines (clocks must then agree
 * within a fraction of the stale window).
 */
export interface OwnerLeaseRepo {
  read(): LeaseHolder | undefined;
  tryAcquire(claim: LeaseClaim, now: number, staleMs: number): AcquireResult;
  /** Extends our lease; false when it is no longer ours (someone took over after we went stale). */
  renew(holder: string, now: number, staleMs: number): boolean;
  release(holder: string): void;
}

const NAME = "owner";

export function createOwnerLeaseRepo(store: Store): OwnerLeaseRepo {
  const db = store.db;
  const select = db.prepare("SELECT * FROM owner_lease WHERE name = ?");
  const claim = db.prepare(`
    INSERT INTO owner_lease (name, holder, pid, host, mode, acquired_at, heartbeat_at, expires_at, socket)
    VALUES (@name, @holder, @pid, @host, @mode, @now, @now, @expires, @socket)
    ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, pid = excluded.pid, host = excluded.host,
      mode = excluded.mode, socket = excluded.socket, heartbeat_at = excluded.heartbeat_at,
      expires_at = excluded.expires_at,
      acquired_at = CASE WHEN owner_lease.holder = excluded.holder THEN owner_lease.acquired_at
                         ELSE excluded.acquired_at END
    WHERE owner_lease.holder = excluded.holder OR owner_lease.expires_at <= @now`);
  const renew = db.prepare(
    "UPDATE owner_lease SET heartbeat_at = ?, expires_at = ? WHERE name = ? AND holder = ?",
  );
  const release = db.prepare("DELETE FROM owner_lease WHERE name = ? AND holder = ?");
  const read = (): LeaseHolder | undefined => {
    const r = select.get(NAME) as Record<string, unknown> | undefined;
    if (!r) return undefined;
    return {
      holder: String(r.holder),
      pid: Number(r.pid),
      host: String(r.host),
      mode: String(r.mode),
      acquiredAt: Number(r.acquired_at),
      heartbeatAt: Number(r.heartbeat_at),
      expiresAt: Number(r.expires_at),
      socket: r.socket === null ? null : String(r.socket),
    };
  };
  return {
    read,
    tryAcquire(c, now, staleMs) {
      // The read and the claim share one transaction, so "took over from" names the row we replaced.
      return store.durable((): AcquireResult => {
        const before = read();
        const won =
          claim.run({ name: NAME, ...c, socket: c.socket ?? null, now, expires: now + staleMs }).changes ===
          1;
        if (!won) return { ok: false, holder: before! };
        return before && before.holder !== c.holder ? { ok: true, tookOverFrom: before } : { ok: true };
      });
    },
    renew: (holder, now, staleMs) => renew.run(now, now + staleMs, NAME, holder).changes === 1,
    release: (holder) => {
      release.run(NAME, holder);
    },
  };
}
