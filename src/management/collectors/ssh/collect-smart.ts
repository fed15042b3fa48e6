import { shellQuote } from "../../../lib/shell.js";
import type { SshRunner, SshTarget } from "../../../lib/ssh/types.js";
import { commandProblem, type DrivePart } from "./drive-part.js";
import { parseSmartScan, type SmartDevice, smartObservation } from "./smart-parse.js";

/** `-i` adds model, serial and capacity to the health (-H) and attributes (-A) the issue asks for. */
export const smartCommand = (d: SmartDevice) =>
  `smartctl -j -H -A -i -d ${shellQuote(d.type)} ${shellQuote(d.name)}`;
export const SMART_SCAN = "smartctl --scan -j";

/** Scans, then reads every disk in parallel (channels on the host's one connection). */
export async function collectSmart(ssh: SshRunner, target: SshTarget): Promise<DrivePart> {
  const scan = await ssh.exec(target, SMART_SCAN);
  const problem = commandProblem("smartctl --scan", scan);
  if (problem) return { sources: [], items: [], errors: [{ collector: "smart", message: problem }] };
  let devices: SmartDevice[];
  try {
    devices = parseSmartScan(scan.stdout);
  } catch (err) {
    return { sources: [], items: [], errors: [{ collector: "smart", message: (err as Error).message }] };
  }
  const items = await Promise.all(
    devices.map(async (d) => {
      const r = await ssh.exec(target, smartCommand(d));
      if (r.timedOut) {
        return { ...smartObservation(d, "", 2), detail: { error: "smartctl timed out" } };
      }
      return smartObservation(d, r.stdout, r.exitCode);
    }),
  );
  return { sources: ["smart"], items, errors: [] };
}
