import type { DeviceObservation, InterfaceObservation } from "../../src/management/observations.js";

// A switch's poll as the poller records it, deterministic per device and round (fleet-cache, cold-start).
const BOOT = Date.UTC(2025, 0, 1);

/** Deterministic pseudo-random numbers, so runs compare. */
let seed = 42;
export const rand = (): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

/** A stable number in [0, 1) per key. */
function hash(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

/**
 * One poll of a 48-port-class access switch (`ports` ports): ~10 % admin down, ~5 % up but down, ~0.5 %
 * flipping per round, real-shaped counters, ENTITY-MIB firmware (10 % on an older release).
 */
export function observation(device: string, at: number, round: number, ports: number): DeviceObservation {
  const uptimeCs = Math.floor((at - BOOT) / 10);
  const interfaces: InterfaceObservation[] = [];
  for (let i = 1; i <= ports; i++) {
    // Each port keeps its state between rounds, except ~0.5% that flip (what a real fleet does).
    const r = hash(`${device}/${i}`);
    const flipped = round > 0 && hash(`${device}/${i}/${round}`) < 0.005;
    const adminDown = r < 0.1;
    const operDown = adminDown || r < 0.15 !== flipped; // ~5% admin up / oper down
    interfaces.push({
      ifIndex: i,
      name: `Gi1/0/${i}`,
      descr: `GigabitEthernet1/0/${i}`,
      alias: i % 7 === 0 ? `server-${device}-${i}` : "",
      adminStatus: adminDown ? "down" : "up",
      operStatus: operDown ? "down" : "up",
      lastChangeCs: Math.max(0, uptimeCs - Math.floor(hash(`${device}/${i}/t`) * 8_640_000)),
      speedMbps: i > ports - 2 ? 10_000 : 1000,
      inErrors: rand() < 0.02 ? Math.floor(rand() * 1000) : 0,
      outErrors: 0,
      inDiscards: 0,
      outDiscards: 0,
      inOctets: BigInt(round) * 37_500_000n + BigInt(i) * 2n ** 40n,
      outOctets: BigInt(round) * 12_500_000n + BigInt(i) * 2n ** 39n,
      counterBits: 64,
    });
  }
  return {
    device,
    at,
    system: {
      descr: "Cisco IOS XE Software, Version 17.09.04a",
      objectId: "1.3.6.1.4.1.9.1.2494",
      name: device,
      uptimeCs,
    },
    interfaces,
    entity: {
      model: "C9300-48P",
      serial: `FOC${device}`,
      hardwareRev: "V02",
      firmwareRev: "",
      softwareRev: hash(device) < 0.1 ? "17.6.5" : "17.9.4a",
      source: "entity-mib",
    },
    errors: [],
    reachable: true,
  };
}
