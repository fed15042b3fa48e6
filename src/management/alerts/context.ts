import type { Config } from "../../config/schema.js";
import { parseDuration } from "../../lib/clock.js";
import type { Store } from "../../store/store.js";
import type { Silence } from "./alert-repo.js";
import type { ClassifyContext } from "./classify.js";
import type { DecideContext } from "./decide.js";
import { activeWindow, type DeviceFacts, isOpen } from "./maintenance.js";
import { globMatcher, portMatcher, resolveRules } from "./rules.js";
import type { Alert, RuleName, RuleSettings } from "./types.js";

/** What the engine knows about the config and the fleet, built once per engine. */
export interface AlertContext {
  rules: Record<RuleName, RuleSettings>;
  facts(device: string): DeviceFacts;
  classify: ClassifyContext;
  /** A decide context for one pass, with the silences active at its start. */
  decide(silences: Silence[]): DecideContext;
  /** The transport channel for a new group. */
  route(alert: Alert): string;
}

export function createAlertContext(config: Config, store: Store): AlertContext {
  const a = config.alerts;
  const rules = resolveRules(a);
  // Rebuilt when an inventory refresh replaces config.devices.
  let known: Config["devices"] | undefined;
  let devices = new Map<string, DeviceFacts>();
  const facts = (device: string): DeviceFacts => {
    if (known !== config.devices) {
      known = config.devices;
      devices = new Map(
        known.map((d) => [d.name.toLowerCase(), { device: d.name, tags: d.tags, site: d.site ?? null }]),
      );
    }
    return devices.get(device.toLowerCase()) ?? { device, tags: [], site: null };
  };
  const tags = (device: string) => facts(device).tags;
  const driveKind = store.db.prepare("SELECT kind FROM drive_state WHERE device = ? AND key = ?");
  const failures = store.db.prepare("SELECT consecutive_failures AS n FROM device_state WHERE name = ?");
  const channel = (name: string) => config.channels[name] ?? name;
  const routes = a.routes.map((r) => ({ ...r, deviceGlobs: r.devices.map(globMatcher) }));
  const lower = (s: string) => s.toLowerCase();

  return {
    rules,
    facts,
    classify: {
      tags,
      portMatters: portMatcher(a.ports, tags),
      driveKind: (device, key) =>
        (driveKind.get(device, key) as { kind?: string } | undefined)?.kind === "array" ? "array" : "disk",
      baselines: config.firmware_baselines,
    },
    decide(silences) {
      // Whether a window is open depends only on the time: decide it once per pass, not per alert.
      let openAt = Number.NaN;
      let open: typeof a.maintenance = [];
      const openWindows = (now: number) => {
        if (now !== openAt) {
          openAt = now;
          open = a.maintenance.filter((w) => isOpen(w, now, config.timezone));
        }
        return open;
      };
      return {
        rule: (name) => rules[name],
        flap: {
          transitions: a.flapping.transitions,
          windowMs: durationMs(a.flapping.window),
          settleMs: durationMs(a.flapping.settle),
        },
        failures: (device) => Number((failures.get(device) as { n?: number } | undefined)?.n ?? 0),
        suppressedBy(alert, now) {
          const f = facts(alert.device);
          const s = silences.find(
            (x) =>
              x.expiresAt > now &&
              ((x.targetKind === "device" && lower(x.target) === lower(alert.device)) ||
                (x.targetKind === "rule" && x.target === alert.rule) ||
                (x.targetKind === "device_rule" &&
                  lower(x.target) === lower(`${alert.device}:${alert.rule}`)) ||
                (x.targetKind === "tag" && f.tags.some((t) => lower(t) === lower(x.target)))),
          );
          if (s) return `silenced (#${s.id}, ${s.reason})`;
          const w = activeWindow(openWindows(now), f, now, config.timezone);
          return w ? `in maintenance (${w.name})` : null;
        },
      };
    },
    route(alert) {
      const f = facts(alert.device);
      const hit = routes.find(
        (r) =>
          (r.tags.length === 0 || r.tags.some((t) => f.tags.some((x) => lower(x) === lower(t)))) &&
          (r.sites.length === 0 || (f.site !== null && r.sites.some((s) => lower(s) === lower(f.site!)))) &&
          (r.rules.length === 0 || r.rules.includes(alert.rule)) &&
          (r.severities.length === 0 || r.severities.includes(alert.severity)) &&
          (r.deviceGlobs.length === 0 || r.deviceGlobs.some((g) => g.test(alert.device))),
      );
      return channel(hit?.channel ?? a.default_channel);
    },
  };
}

function durationMs(text: string): number {
  return parseDuration(text) ?? 0;
}
