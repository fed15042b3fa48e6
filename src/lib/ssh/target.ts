import type { DeviceConfig } from "../../config/schema.js";
import { ConfigError } from "../errors.js";
import type { SshTarget } from "./types.js";

/**
 * Maps a device's `ssh:` config section to an SshTarget. The key passphrase is read from the
 * environment variable the config names (the YAML never holds it).
 */
export function sshTargetFor(device: DeviceConfig, env: NodeJS.ProcessEnv = process.env): SshTarget {
  const ssh = device.ssh;
  if (!ssh) {
    throw new ConfigError(`Device ${device.name} has no ssh section.`, [
      `devices[name=${device.name}].ssh: add { user, host_key or known_hosts, key_file }`,
    ]);
  }
  const target: SshTarget = {
    name: device.name,
    host: device.host,
    port: ssh.port,
    user: ssh.user,
    connectTimeoutMs: ssh.connect_timeout_ms,
    keepalive: { intervalMs: ssh.keepalive_interval_ms, countMax: ssh.keepalive_count_max },
    commandTimeoutMs: ssh.command_timeout_ms,
    maxOutputBytes: ssh.max_output_bytes,
  };
  if (ssh.host_key !== undefined) target.hostKey = ssh.host_key;
  if (ssh.known_hosts !== undefined) target.knownHosts = ssh.known_hosts;
  if (ssh.key_file !== undefined) target.keyFile = ssh.key_file;
  if (ssh.shell !== undefined) target.shell = ssh.shell;
  if (ssh.passphrase_env !== undefined) {
    const passphrase = env[ssh.passphrase_env];
    if (passphrase === undefined || passphrase === "") {
      throw new ConfigError(`The SSH key passphrase for ${device.name} is not set.`, [
        `devices[name=${device.name}].ssh.passphrase_env names ${ssh.passphrase_env}, which is empty in the environment`,
      ]);
    }
    target.passphrase = passphrase;
  }
  return target;
}
