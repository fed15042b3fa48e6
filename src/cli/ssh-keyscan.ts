import { UsageError } from "../lib/errors.js";
import { scanHostKeys } from "../lib/ssh/keyscan.js";
import { loadConfig } from "../main.js";
import { GLOBAL_HELP, GLOBAL_OPTIONS, parseFlags, type Subcommand, settingsFrom } from "./common.js";

const usage = "opsbot ssh-keyscan [--timeout MS] <device | host[:port]>";

/**
 * The safe way to enrol a host: fetch its host keys without authenticating and print the line to
 * paste into the config, with the fingerprint to check out of band (e.g. `ssh-keygen -lf` on the
 * host's console) before trusting it.
 */
export const sshKeyscan: Subcommand = {
  summary: "Print a host's SSH host key line to pin in the config, with its fingerprint",
  usage: `${usage}\n\n  --timeout MS    connect timeout (default 10000)\n${GLOBAL_HELP}`,
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { ...GLOBAL_OPTIONS, timeout: { type: "string" } },
      usage,
    );
    if (values.help) {
      process.stdout.write(`Usage: ${this.usage}\n`);
      return 0;
    }
    const [what] = positionals;
    if (what === undefined || positionals.length > 1) {
      process.stderr.write(`opsbot: name one device or host.\nUsage: ${usage}\n`);
      return 1;
    }
    const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100) {
      process.stderr.write(`opsbot: --timeout must be a number of milliseconds (≥ 100).\nUsage: ${usage}\n`);
      return 1;
    }
    const { host, port, device } = resolveTarget(what, values);
    const keys = await scanHostKeys(host, port, timeoutMs);
    const out = [
      `# ${device ?? host} (${host} port ${port}). Check a fingerprint on the host itself before pinning:`,
      ...keys.map((k) => `#   ${k.fingerprint} (${k.type})`),
      "# Paste one into the device's ssh section:",
      ...keys.map((k) => `host_key: "${k.line}"`),
      "",
    ];
    process.stdout.write(out.join("\n"));
    return 0;
  },
};

/** A configured device (its host and ssh.port) or host[:port] / [v6]:port. */
export function resolveTarget(
  what: string,
  flags: { config?: string | undefined; db?: string | undefined },
): { host: string; port: number; device?: string } {
  const settings = settingsFrom(flags);
  let devices: { name: string; host: string; ssh?: { port: number } }[] = [];
  try {
    devices = loadConfig(settings).devices;
  } catch (err) {
    // A host name still works without a valid config; a device name then reports the config error.
    if (!/[.:[\]]/.test(what)) throw err;
  }
  const device = devices.find((d) => d.name.toLowerCase() === what.toLowerCase());
  if (device) return { host: device.host, port: device.ssh?.port ?? 22, device: device.name };
  const m = /^\[([^\]]+)\](?::([^:]*))?$/.exec(what) ?? /^([^:[\]]+)(?::([^:]*))?$/.exec(what);
  if (!m) throw new UsageError(`"${what}" is neither a configured device nor host[:port].`);
  const port = m[2] === undefined ? 22 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`"${m[2]}" in "${what}" is not a port number (1–65535).`);
  }
  return { host: m[1]!, port };
}
