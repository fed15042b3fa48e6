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

/**
 * The subset of the management subsystem's read model that gates use, typed structurally so
 * orchestration does not import management: the composition root passes its fleet queries in.
 */
export interface ManagementReads {
  device(name: string):
    | {
        device: { reachable: boolean | null; lastPolledAt: number | null };
        firmware: { version: string | null; age: { polledAt: number | null } };
      }
    | undefined;
  links(device: string):
    | {
        ports: { name: string; alias: string; adminStatus: string; operStatus: string }[];
        age: { polledAt: number | null };
      }
    | undefined;
  drives(options: { scope: { device: string } }): {
    items: { name: string; status: string; rawStatus: string; polledAt: number }[];
    age: { polledAt: number | null };
  };
}

/** Adapts the management read model to the gate port. Never-polled data is "no data" (gates fail). */
export function fleetViewFromManagement(m: ManagementReads): FleetView {
  return {
    async deviceReachable(d) {
      const s = m.device(d);
      if (!s || s.device.reachable === null || s.device.lastPolledAt === null) return undefined;
      return { value: s.device.reachable, at: s.device.lastPolledAt };
    },
    async portsDown(d, glob) {
      const l = m.links(d);
      if (!l || l.age.polledAt === null) return undefined;
      const re = glob === undefined ? undefined : globToRegExp(glob);
      const down = l.ports
        .filter(
          (p) =>
            p.adminStatus === "up" && p.operStatus !== "up" && (!re || re.test(p.name) || re.test(p.alias)),
        )
        .map((p) => ({ name: p.name, alias: p.alias, adminStatus: p.adminStatus, operStatus: p.operStatus }));
      return { value: down, at: l.age.polledAt };
    },
    async failingDrives(d) {
      const r = m.drives({ scope: { device: d } });
      const at = r.age.polledAt ?? m.device(d)?.device.lastPolledAt ?? null;
      if (at === null) return undefined;
      // "warning" covers degraded arrays and pre-fail SMART: not a state to start maintenance in.
      const bad = r.items.filter((i) => i.status === "failed" || i.status === "warning");
      return { value: bad.map((i) => ({ name: i.name, status: i.status, detail: i.rawStatus })), at };
    },
    async firmwareVersion(d) {
      const s = m.device(d);
      if (!s || s.firmware.version === null || s.firmware.age.polledAt === null) return undefined;
      return { value: s.firmware.version, at: s.firmware.age.polledAt };
    },
  };
}

/** A view with no data at all: every gate fails closed ("no data yet"). */
export const emptyFleetView: FleetView = createMemoryFleetView();
