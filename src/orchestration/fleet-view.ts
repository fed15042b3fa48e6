/**
 * The read-only view of management state that runbook gates need — and nothing more. Orchestration
 * never reads management tables directly: the composition root adapts the management subsystem to
 * this port, so the two can change independently. Every answer carries the time it was observed,
 * because a gate must not pass on stale data.
 */
export interface Observed<T> {
  value: T;
  /** ms since epoch when the poller observed it. */
  at: number;
}

export interface PortState {
  name: string;
  alias: string;
  adminStatus: string;
  operStatus: string;
}

export interface DriveState {
  name: string;
  status: string;
  detail?: string;
}

export interface FleetView {
  /** Undefined when the device has never been polled. */
  deviceReachable(device: string): Promise<Observed<boolean> | undefined>;
  /**
   * Admin-up ports that are not oper-up, optionally only those whose name or alias matches `glob`
   * (`*` and `?`). Undefined when no interface data exists.
   */
  portsDown(device: string, glob?: string): Promise<Observed<PortState[]> | undefined>;
  /** Drives or arrays in a failed or degraded state. Undefined when no drive data exists. */
  failingDrives(device: string): Promise<Observed<DriveState[]> | undefined>;
  firmwareVersion(device: string): Promise<Observed<string> | undefined>;
}

/** Glob → RegExp for port filters ("Gi1/0/4*", "uplink-?"), case-insensitive, whole string. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

/** Snapshot of one device for the in-memory view (tests, the demo's simulated targets). */
export interface DeviceSnapshot {
  at: number;
  reachable?: boolean;
  ports?: PortState[];
  drives?: DriveState[];
  firmware?: string;
}

/**
 * A FleetView over snapshots held in memory. The demo feeds it simulated targets; tests mutate it
 * between steps (e.g. a firmware upgrade that changes the version a later gate checks).
 */
export function createMemoryFleetView(initial: Record<string, DeviceSnapshot> = {}) {
  const devices = new Map(Object.entries(initial));
  const get = (d: string) => devices.get(d);
  const view: FleetView & { set(device: string, snapshot: DeviceSnapshot): void } = {
    set: (device, snapshot) => {
      devices.set(device, snapshot);
    },
    async deviceReachable(d) {
      const s = get(d);
      return s?.reachable === undefined ? undefined : { value: s.reachable, at: s.at };
    },
    async portsDown(d, glob) {
      const s = get(d);
      if (!s?.ports) return undefined;
      const re = glob === undefined ? undefined : globToRegExp(glob);
      const down = s.ports.filter(
        (p) =>
          p.adminStatus === "up" && p.operStatus !== "up" && (!re || re.test(p.name) || re.test(p.alias)),
      );
      return { value: down, at: s.at };
    },
    async failingDrives(d) {
      const s = get(d);
      return s?.drives ? { value: s.drives.filter((x) => x.status !== "ok"), at: s.at } : undefined;
    },
    async firmwareVersion(d) {
      const s = get(d);
      return s?.firmware === undefined ? undefined : { value: s.firmware, at: s.at };
    },
  };
  return view;
}
