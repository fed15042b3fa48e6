import type { Config } from "../config/schema.js";
import type { LabelledSecret } from "../lib/weak-secrets.js";

/**
 * Every configured secret with the key it came from (for weak-secret warnings). Credentials written
 * in the config (after ${VAR} substitution) are secrets too.
 */
export function configSecrets(config: Config): LabelledSecret[] {
  const out: LabelledSecret[] = config.secrets.map((value, i) => ({ key: `secrets[${i}]`, value }));
  config.devices.forEach((d, i) => {
    const at = `devices[${i}] (${d.name})`;
    const add = (key: string, value: string | undefined) => {
      if (typeof value === "string") out.push({ key: `${at}.${key}`, value });
    };
    add("snmp.community", d.snmp?.community);
    add("snmp.v3.auth_key", d.snmp?.v3?.auth_key);
    add("snmp.v3.priv_key", d.snmp?.v3?.priv_key);
    // SSH key passphrases come from the variable the config names.
    const env = d.ssh?.passphrase_env;
    if (env !== undefined) add(`ssh.passphrase_env (${env})`, process.env[env]);
  });
  return out;
}

/** Names redaction must never change: devices, their sites, tags and teams, role members. */
export function configuredNames(config: Config): string[] {
  const names = config.devices.flatMap((d) => [d.name, d.site ?? "", d.team ?? "", ...d.tags]);
  for (const members of Object.values(config.roles)) names.push(...members);
  return [...new Set(names.filter((n) => n.length > 0))];
}

/** Profile credentials and the NetBox token are secrets even before any device uses them. */
export function inventorySecrets(config: Config): string[] {
  const profiles = Object.values(config.profiles).flatMap((p) => [
    p.snmp?.community,
    p.snmp?.v3?.auth_key,
    p.snmp?.v3?.priv_key,
    p.ssh?.passphrase_env === undefined ? undefined : process.env[p.ssh.passphrase_env],
  ]);
  const netbox = config.inventory.netbox;
  const token = netbox ? process.env[netbox.token_env] : undefined;
  return [...profiles, token].filter((s): s is string => typeof s === "string" && s !== "");
}
