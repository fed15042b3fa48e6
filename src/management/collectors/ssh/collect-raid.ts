import type { SshRunner, SshTarget } from "../../../lib/ssh/types.js";
import type { CollectorError, DriveObservation, DriveSource } from "../../observations.js";
import { commandProblem, type DrivePart } from "./drive-part.js";
import { mdObservations, parseMdstat } from "./mdstat-parse.js";
import { parseZpoolList, parseZpoolStatus, zfsObservations } from "./zpool-parse.js";

export const MDSTAT = "cat /proc/mdstat";
export const ZPOOL_LIST = "zpool list -H -p -o name,health,size";
export const ZPOOL_STATUS = "zpool status -x";

/**
 * Software RAID: md from /proc/mdstat, ZFS from zpool. A host without md (no /proc/mdstat) or without
 * ZFS (zpool not installed) reports that source with no arrays, which is a fact, not an error.
 */
export async function collectRaid(ssh: SshRunner, target: SshTarget): Promise<DrivePart> {
  const sources: DriveSource[] = [];
  const items: DriveObservation[] = [];
  const errors: CollectorError[] = [];

  const [md, zl] = await Promise.all([ssh.exec(target, MDSTAT), ssh.exec(target, ZPOOL_LIST)]);
  const mdProblem = commandProblem(MDSTAT, md);
  if (mdProblem) errors.push({ collector: "raid", message: mdProblem });
  else {
    sources.push("mdadm");
    if (md.exitCode === 0) items.push(...mdObservations(parseMdstat(md.stdout)));
  }

  if (zl.exitCode === 127) {
    sources.push("zfs");
  } else if (zl.exitCode !== 0 || zl.timedOut) {
    errors.push({
      collector: "raid",
      message: commandProblem("zpool list", zl) ?? `zpool list exit ${zl.exitCode}: ${zl.stderr.trim()}`,
    });
  } else {
    const pools = parseZpoolList(zl.stdout);
    let statuses: ReturnType<typeof parseZpoolStatus> = [];
    if (pools.some((p) => p.health !== "ONLINE")) {
      const zs = await ssh.exec(target, ZPOOL_STATUS);
      if (zs.exitCode === 0) statuses = parseZpoolStatus(zs.stdout);
      else
        errors.push({
          collector: "raid",
          message: `zpool status -x exit ${zs.exitCode}: ${zs.stderr.trim()}`,
        });
    }
    sources.push("zfs");
    items.push(...zfsObservations(pools, statuses));
  }
  return { sources, items, errors };
}
