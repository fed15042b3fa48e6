import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type {
  DeviceObservation,
  DriveObservation,
  InterfaceObservation,
} from "../../src/management/observations.js";
import { createStateRepo, type DeviceRegistration, type StateRepo } from "../../src/management/state-repo.js";
import { openStore, type Store } from "../../src/store/store.js";

/** A real SQLite file in a fresh temp dir, with every migration applied. */
export function tempStore(): { store: Store; dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "opsbot-mgmt-"));
  const store = openStore(join(dir, "opsbot.db"));
  return {
    store,
    dir,
    cleanup() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function registration(name: string, extra: Partial<DeviceRegistration> = {}): DeviceRegistration {
  return { name, host: "127.0.0.1", tags: [], pollIntervalMs: 300_000, ...extra };
}

/** A store with the given devices registered, plus its repo. */
export function seededRepo(store: Store, devices: DeviceRegistration[]): StateRepo {
  const repo = createStateRepo(store);
  repo.syncDevices(devices, 0);
  return repo;
}

export function port(ifIndex: number, extra: Partial<InterfaceObservation> = {}): InterfaceObservation {
  return {
    ifIndex,
    name: `Gi1/0/${ifIndex}`,
    descr: `GigabitEthernet1/0/${ifIndex}`,
    alias: "",
    adminStatus: "up",
    operStatus: "up",
    lastChangeCs: 0,
    speedMbps: 1000,
    inErrors: 0,
    outErrors: 0,
    inDiscards: 0,
    outDiscards: 0,
    inOctets: 0n,
    outOctets: 0n,
    counterBits: 64,
    ...extra,
  };
}

export function drive(key: string, extra: Partial<DriveObservation> = {}): DriveObservation {
  return {
    key,
    name: `Physical Disk ${key}`,
    source: "idrac",
    kind: "disk",
    status: "ok",
    rawStatus: "online(3)",
    ...extra,
  };
}

/** Fixture devices booted here, so sysUpTime advances with the poll time as on a real agent. */
export const BOOTED_AT = Date.UTC(2025, 11, 1, 0, 0, 0);

export function observation(
  device: string,
  at: number,
  extra: Partial<DeviceObservation> = {},
): DeviceObservation {
  return {
    device,
    at,
    system: {
      descr: "Cisco IOS Software, Version 15.2(7)E3",
      objectId: "1.3.6.1.4.1.9.1.2134",
      name: device,
      uptimeCs: Math.floor((at - BOOTED_AT) / 10),
    },
    errors: [],
    reachable: true,
    ...extra,
  };
}

export function unreachable(device: string, at: number, message = "Request timed out"): DeviceObservation {
  return { device, at, errors: [{ collector: "system", message }], reachable: false };
}
