import { MIN_SECRET_LENGTH, SHORT_SECRET_LENGTH } from "./redact.js";

/**
 * Secrets weak enough to collide with ordinary words or names: the Redactor keeps names whole and
 * matches short secrets only as whole tokens, so such a secret may still show where it is part of a
 * word. Config load warns about each one, naming the key (never the value) so it can be changed.
 */
export interface LabelledSecret {
  /** Where it is configured: `devices[2].snmp.community`, `secrets[0]`, `SLACK_BOT_TOKEN`. */
  key: string;
  value: string;
}

/** Defaults and words that ship with devices and tutorials. */
const WELL_KNOWN = new Set([
  "public",
  "private",
  "community",
  "admin",
  "administrator",
  "password",
  "passw0rd",
  "changeme",
  "change_me",
  "default",
  "secret",
  "cisco",
  "root",
  "toor",
  "calvin",
  "manager",
  "monitor",
  "snmp",
  "guest",
  "letmein",
  "12345678",
  "123456",
  "1234",
  "test",
]);

export function weakSecretWarnings(secrets: readonly LabelledSecret[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (const { key, value } of secrets) {
    if (value.length === 0) continue;
    const lower = value.toLowerCase();
    const reasons: string[] = [];
    if (WELL_KNOWN.has(lower)) reasons.push("it is a well-known default");
    if (value.length < MIN_SECRET_LENGTH) {
      reasons.push(`it is shorter than ${MIN_SECRET_LENGTH} characters, so it is never redacted`);
    } else if (value.length < SHORT_SECRET_LENGTH) {
      reasons.push(
        `it is shorter than ${SHORT_SECRET_LENGTH} characters, so it is redacted only as a whole word`,
      );
    }
    const name = names.find((n) => n.toLowerCase().includes(lower));
    if (name !== undefined) {
      // The name itself is not repeated: it would tell a log reader most of the secret.
      reasons.push(
        `it ${name.toLowerCase() === lower ? "equals" : "is part of"} a configured device, site or tag name, which is never redacted`,
      );
    }
    if (reasons.length > 0)
      out.push(`weak secret in ${key}: ${reasons.join("; ")}. Use a long random value.`);
  }
  return out;
}
