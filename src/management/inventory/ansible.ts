import type { AnsibleSourceConfig } from "../../config/inventory-schema.js";
import { parseDuration } from "../../lib/clock.js";
import { OpsbotError } from "../../lib/errors.js";
import { fromAnsibleInventory } from "./ansible-map.js";
import type { InventorySource } from "./types.js";

/** Runs a program and returns its stdout; rejects with its stderr on a non-zero exit. */
export type RunProgram = (argv: string[], options: { timeoutMs: number; cwd?: string }) => Promise<string>;

export const runProgram: RunProgram = async (argv, options) => {
  // Loaded at the first refresh: the inventory service is built by every command, even `ask help`.
  const { execFile } = await import("node:child_process");
  return new Promise((resolve, reject) => {
    const [file, ...args] = argv;
    execFile(
      file!,
      args,
      {
        timeout: options.timeoutMs,
        maxBuffer: 512 * 1024 * 1024,
        ...(options.cwd ? { cwd: options.cwd } : {}),
        // No colours, no prompts: ansible-inventory's output is read, never shown to a terminal.
        // An inventory Ansible cannot parse is a failure, not an empty fleet (its default is a warning).
        env: {
          ...process.env,
          ANSIBLE_NOCOLOR: "1",
          ANSIBLE_FORCE_COLOR: "0",
          ANSIBLE_INVENTORY_UNPARSED_FAILED: "True",
        },
      },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          const why =
            e.code === "ENOENT"
              ? `${file} is not installed (Debian: apt-get install ansible-core)`
              : e.killed
                ? `no answer within ${options.timeoutMs} ms`
                : (summarize(stderr) || e.message).slice(0, 500);
          reject(new Error(why));
          return;
        }
        resolve(stdout);
      },
    );
  });
};

/** The lines of Ansible's stderr that say what failed. */
function summarize(stderr: string): string {
  const lines = stderr.trim().split("\n");
  const key = lines.filter((l) => /ERROR!|Unable to parse|not found|Permission denied/.test(l));
  return (key.length > 0 ? key : lines.slice(-3)).join(" ").replace(/\s+/g, " ");
}

/**
 * An Ansible inventory as a device source: `ansible-inventory -i <path> --list` (or the configured
 * command), parsed by ansible-map. Ansible itself reads YAML, INI, directories and plugins.
 */
export function createAnsibleSource(deps: {
  config: AnsibleSourceConfig;
  run?: RunProgram;
}): InventorySource {
  const c = deps.config;
  const run = deps.run ?? runProgram;
  const argv = c.command ?? ["ansible-inventory", "-i", c.path!, "--list"];
  const location = c.path ?? argv.join(" ");
  return {
    name: "ansible",
    refreshMs: parseDuration(c.refresh) ?? 3_600_000,
    location,
    async list() {
      let stdout: string;
      try {
        stdout = await run(argv, { timeoutMs: parseDuration(c.timeout) ?? 120_000 });
      } catch (err) {
        throw new OpsbotError("UNAVAILABLE", `\`${argv.join(" ")}\` failed: ${(err as Error).message}`);
      }
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        throw new OpsbotError(
          "UNAVAILABLE",
          `\`${argv.join(" ")}\` did not print JSON (run it by hand to see why).`,
        );
      }
      if (json === null || typeof json !== "object" || Array.isArray(json)) {
        throw new OpsbotError("UNAVAILABLE", `\`${argv.join(" ")}\` printed JSON that is not an inventory.`);
      }
      return fromAnsibleInventory(json as Record<string, unknown>);
    },
  };
}
