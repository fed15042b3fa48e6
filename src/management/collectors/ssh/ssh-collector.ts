import type { DeviceConfig } from "../../../config/schema.js";
import type { Clock } from "../../../lib/clock.js";
import { OpsbotError } from "../../../lib/errors.js";
import type { Logger } from "../../../lib/logger.js";
import { sshTargetFor } from "../../../lib/ssh/target.js";
import type { SshRunner, SshTarget } from "../../../lib/ssh/types.js";
import type { DeviceObservation, DriveObservation, DriveSource } from "../../observations.js";
import { collectRaid } from "./collect-raid.js";
import { collectSmart } from "./collect-smart.js";
import type { DrivePart } from "./drive-part.js";

export type SshCollectorName = "smart" | "raid";

export interface SshCollectorDeps {
  ssh: SshRunner;
  clock: Clock;
  logger: Logger;
  /** Where passphrase_env is looked up. */
  env?: NodeJS.ProcessEnv;
}

export interface SshCollector {
  /** Does this device ask for SSH collection (`ssh.collect` not empty)? */
  appliesTo(device: DeviceConfig): boolean;
  /** Never rejects: failures become CollectorErrors; unreachable when no command could run. */
  collect(device: DeviceConfig): Promise<DeviceObservation>;
}

/**
 * Drive and array health from the host itself (SMART, md, ZFS). All commands of one poll share the
 * host's one pooled SSH connection, so a poll costs one handshake.
 */
export function createSshCollector(deps: SshCollectorDeps): SshCollector {
  return {
    appliesTo: (device) => (device.ssh?.collect?.length ?? 0) > 0,

    async collect(device) {
      const obs: DeviceObservation = { device: device.name, at: 0, errors: [], reachable: false };
      let target: SshTarget;
      try {
        target = sshTargetFor(device, deps.env);
      } catch (err) {
        obs.errors.push({ collector: "ssh", message: (err as Error).message });
        obs.at = deps.clock.now();
        return obs;
      }
      const wanted = new Set(device.ssh?.collect ?? []);
      const parts: Promise<DrivePart | ConnectFailure>[] = [];
      if (wanted.has("smart")) parts.push(guard("smart", collectSmart(deps.ssh, target)));
      if (wanted.has("raid")) parts.push(guard("raid", collectRaid(deps.ssh, target)));
      const results = await Promise.all(parts);

      const sources: DriveSource[] = [];
      const items: DriveObservation[] = [];
      for (const r of results) {
        if (r instanceof ConnectFailure) {
          obs.errors.push({ collector: r.collector, message: r.message });
          continue;
        }
        obs.reachable = true;
        sources.push(...r.sources);
        items.push(...r.items);
        obs.errors.push(...r.errors);
      }
      if (sources.length > 0) obs.drives = { sources, items };
      if (!obs.reachable)
        deps.logger.debug({ device: device.name, errors: obs.errors }, "ssh collection failed");
      obs.at = deps.clock.now();
      return obs;
    },
  };
}

/** No command could run at all (host key refused, unreachable, authentication, config). */
class ConnectFailure {
  constructor(
    readonly collector: string,
    readonly message: string,
  ) {}
}

async function guard(collector: string, work: Promise<DrivePart>): Promise<DrivePart | ConnectFailure> {
  try {
    return await work;
  } catch (err) {
    const message = err instanceof OpsbotError ? `${err.code}: ${err.message}` : (err as Error).message;
    return new ConnectFailure(collector, message);
  }
}
