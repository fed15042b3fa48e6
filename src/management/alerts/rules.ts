import { type AlertsConfig, RULE_NAMES } from "../../config/alerts-schema.js";
import { parseDuration } from "../../lib/clock.js";
import type { RuleName, RuleSettings } from "./types.js";

/** Defaults per rule: what a team wants to hear without writing any config. */
const DEFAULTS: Record<RuleName, Omit<RuleSettings, "name" | "threshold" | "clearThreshold">> = {
  port_down: { enabled: true, holdMs: 60_000, renotifyMs: 4 * 3_600_000, recovery: true, afterFailures: 1 },
  drive: { enabled: true, holdMs: 0, renotifyMs: 24 * 3_600_000, recovery: true, afterFailures: 1 },
  raid_degraded: { enabled: true, holdMs: 0, renotifyMs: 4 * 3_600_000, recovery: true, afterFailures: 1 },
  firmware_drift: { enabled: true, holdMs: 0, renotifyMs: 0, recovery: true, afterFailures: 1 },
  firmware_changed: { enabled: true, holdMs: 0, renotifyMs: 0, recovery: false, afterFailures: 1 },
  device_unreachable: {
    enabled: true,
    holdMs: 0,
    renotifyMs: 4 * 3_600_000,
    recovery: true,
    afterFailures: 3,
  },
  backup_failed: { enabled: true, holdMs: 0, renotifyMs: 24 * 3_600_000, recovery: true, afterFailures: 1 },
  backup_changed: { enabled: true, holdMs: 0, renotifyMs: 0, recovery: false, afterFailures: 1 },
  error_rate: { enabled: true, holdMs: 0, renotifyMs: 4 * 3_600_000, recovery: true, afterFailures: 1 },
};

/** error_rate defaults: 100 errors/min raises, under 10/min clears. */
const ERROR_RATE = { threshold: 100, clear: 10 };

/** Human names for messages. */
export const RULE_TITLES: Record<RuleName, string> = {
  port_down: "Port down",
  drive: "Drive problem",
  raid_degraded: "RAID degraded",
  firmware_drift: "Firmware drift",
  firmware_changed: "Firmware changed",
  device_unreachable: "Device unreachable",
  backup_failed: "Config backup failed",
  backup_changed: "Config changed",
  error_rate: "Interface errors",
};

const ms = (text: string | undefined, fallback: number): number =>
  text === undefined ? fallback : text === "0" ? 0 : (parseDuration(text) ?? fallback);

export function resolveRules(config: AlertsConfig): Record<RuleName, RuleSettings> {
  const out = {} as Record<RuleName, RuleSettings>;
  for (const name of RULE_NAMES) {
    const d = DEFAULTS[name];
    const o = config.rules[name] ?? {};
    out[name] = {
      name,
      enabled: o.enabled ?? d.enabled,
      ...(o.severity ? { severity: o.severity } : {}),
      holdMs: ms(o.hold, d.holdMs),
      renotifyMs: ms(o.renotify, d.renotifyMs),
      recovery: o.recovery ?? d.recovery,
      afterFailures: o.after_failures ?? d.afterFailures,
      threshold: o.threshold ?? ERROR_RATE.threshold,
      clearThreshold: Math.min(o.clear_threshold ?? ERROR_RATE.clear, o.threshold ?? ERROR_RATE.threshold),
      ...(o.runbook ? { runbook: { name: o.runbook.name, params: o.runbook.params } } : {}),
    };
  }
  return out;
}

export function globMatcher(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

/**
 * Which ports raise port_down: aliased ports, every port of devices with a listed tag, or explicit
 * "device:port" globs. Access ports without a description stay quiet by default.
 */
export function portMatcher(
  ports: AlertsConfig["ports"],
  tags: (device: string) => readonly string[],
): (device: string, port: string, alias: string) => boolean {
  const explicit = ports.explicit.map((entry) => {
    const cut = entry.indexOf(":");
    return { device: globMatcher(entry.slice(0, cut)), port: globMatcher(entry.slice(cut + 1)) };
  });
  const wanted = new Set(ports.device_tags.map((t) => t.toLowerCase()));
  return (device, port, alias) => {
    if (ports.aliased && alias.trim() !== "") return true;
    if (wanted.size > 0 && tags(device).some((t) => wanted.has(t.toLowerCase()))) return true;
    return explicit.some((e) => e.device.test(device) && e.port.test(port));
  };
}

/** "{device}" and "{object}" in a suggested runbook's params. */
export function runbookParams(
  params: Record<string, string>,
  alert: { device: string; object: string },
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    out[k] = v.replaceAll("{device}", alert.device).replaceAll("{object}", alert.object);
  }
  return out;
}
