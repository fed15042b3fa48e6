import {
  type Alert,
  type Effect,
  type RuleEvent,
  type RuleName,
  type RuleSettings,
  SEVERITY_RANK,
} from "./types.js";

/** Everything the pure core may consult besides the alert and the event. */
export interface DecideContext {
  rule(name: RuleName): RuleSettings;
  flap: { transitions: number; windowMs: number; settleMs: number };
  /** Why the alert is suppressed at `now` (a silence, a maintenance window), or null. */
  suppressedBy(alert: Alert, now: number): string | null;
  /** Consecutive failed polls of a device (device_unreachable waits for N of them). */
  failures(device: string): number;
}

/** What one event, tick or ack does to an alert: its next state and the effects to perform. */
export interface AlertTransition {
  /** The alert after the transition; undefined when nothing is tracked (an "ok" for an unknown key). */
  alert: Alert | undefined;
  effects: Effect[];
  /** The alert differs from what was passed in and must be stored. */
  changed: boolean;
}

const none = (alert: Alert | undefined): AlertTransition => ({ alert, effects: [], changed: false });

/**
 * One rule event against the alert of its key (if any). Pure: the engine stores the result and
 * performs the effects. Hold times, renotify and flapping's end are decided by `tick`.
 */
export function applyEvent(
  prev: Alert | undefined,
  ev: RuleEvent,
  now: number,
  ctx: DecideContext,
): AlertTransition {
  const rule = ctx.rule(ev.rule);
  if (!rule.enabled) return none(prev);
  const severity = rule.severity ?? ev.severity;
  const window = (list: number[]) => list.filter((t) => t > ev.at - ctx.flap.windowMs);

  if (!prev || prev.status === "resolved") {
    if (ev.condition === "ok") return none(prev);
    const alert: Alert = {
      id: prev?.id ?? 0,
      key: ev.key,
      device: ev.device,
      rule: ev.rule,
      object: ev.object,
      severity,
      status: "pending",
      condition: "bad",
      value: ev.value,
      since: ev.at,
      firedAt: null,
      resolvedAt: null,
      notified: false,
      lastNotifiedAt: null,
      transitions: ev.oneShot ? [] : window([...(prev?.transitions ?? []), ev.at]),
      ackedBy: null,
      ackedAt: null,
      ackedSeverity: null,
      suppressed: null,
      groupId: null,
      detail: ev.detail,
    };
    if (ev.oneShot) return oneShot(alert, now, ctx);
    if (alert.transitions.length >= ctx.flap.transitions) return startFlapping(alert, now, ctx, []);
    const ticked = tick(alert, now, ctx);
    return { ...ticked, changed: true };
  }

  if (ev.condition === prev.condition) {
    if (ev.condition === "ok") return none(prev);
    return stillBad(prev, ev, severity);
  }

  // A transition of an open alert.
  const alert: Alert = {
    ...prev,
    condition: ev.condition,
    transitions: window([...prev.transitions, ev.at]),
    ...(ev.condition === "bad" ? { value: ev.value, detail: ev.detail, severity } : {}),
  };
  if (alert.status === "flapping") return refreshIfShown(alert, []);
  if (alert.transitions.length >= ctx.flap.transitions) return startFlapping(alert, now, ctx, []);
  // Not flapping and the condition cleared (an open alert that is not flapping is always bad).
  return resolve(alert, ev.at, ctx.rule(alert.rule));
}

/**
 * Time passing: hold time elapsed, renotify due, silence or maintenance started or ended, flapping
 * settled. Runs on every engine pass for every open alert.
 */
export function tick(prev: Alert, now: number, ctx: DecideContext): AlertTransition {
  if (prev.status === "resolved") return none(prev);
  const rule = ctx.rule(prev.rule);
  const effects: Effect[] = [];
  let alert = prev;
  let changed = false;
  const set = (patch: Partial<Alert>) => {
    alert = { ...alert, ...patch };
    changed = true;
  };

  const suppressed = ctx.suppressedBy(alert, now);
  if (suppressed !== alert.suppressed) {
    set({ suppressed });
    if (alert.notified) effects.push({ type: "refresh", alert });
  }

  if (alert.status === "pending") {
    const held = now - alert.since >= rule.holdMs;
    const enoughFailures =
      rule.name !== "device_unreachable" || ctx.failures(alert.device) >= rule.afterFailures;
    if (held && enoughFailures) set({ status: "firing", firedAt: now });
    else return { alert, effects, changed };
  }

  if (alert.status === "flapping") {
    const last = alert.transitions.at(-1) ?? alert.since;
    if (now - last >= ctx.flap.settleMs) {
      if (alert.condition === "bad") {
        set({ status: "firing", transitions: [], firedAt: alert.firedAt ?? now });
        if (alert.notified) effects.push({ type: "settled", alert });
      } else {
        const settled = resolve({ ...alert, transitions: [] }, last, rule);
        return { alert: settled.alert, effects: [...effects, ...settled.effects], changed: true };
      }
    } else if (!alert.notified && !alert.suppressed) {
      set({ notified: true, lastNotifiedAt: now });
      effects.push({ type: "announce", alert, reason: "flapping" });
    }
  }

  if (alert.status === "firing" && !alert.suppressed) {
    if (!alert.notified) {
      const reason = prev.status === "pending" ? "fired" : "unsuppressed";
      set({ notified: true, lastNotifiedAt: now });
      effects.push({ type: "announce", alert, reason });
    } else if (
      rule.renotifyMs > 0 &&
      alert.ackedBy === null &&
      now - (alert.lastNotifiedAt ?? now) >= rule.renotifyMs
    ) {
      set({ lastNotifiedAt: now });
      effects.push({ type: "renotify", alert });
    }
  }
  // Effects carry the final alert, so the edge renders what was stored.
  return { alert, effects: effects.map((e) => ({ ...e, alert })), changed };
}

/** An ack: quiet until the alert clears or gets worse. */
export function acknowledge(alert: Alert, by: string, now: number): Alert {
  return { ...alert, ackedBy: by, ackedAt: now, ackedSeverity: alert.severity };
}

function stillBad(prev: Alert, ev: RuleEvent, severity: Alert["severity"]): AlertTransition {
  const worse = SEVERITY_RANK[severity] > SEVERITY_RANK[prev.severity];
  if (!worse && ev.value === prev.value) return none(prev);
  const alert: Alert = {
    ...prev,
    value: ev.value,
    detail: ev.detail,
    severity: worse ? severity : prev.severity,
  };
  if (worse && prev.ackedBy !== null) {
    // Worse than what was acked: the ack no longer covers it.
    const unacked = { ...alert, ackedBy: null, ackedAt: null, ackedSeverity: null };
    if (!prev.notified || prev.suppressed) return { alert: unacked, effects: [], changed: true };
    return {
      alert: unacked,
      effects: [{ type: "announce", alert: unacked, reason: "worse" }],
      changed: true,
    };
  }
  return refreshIfShown(alert, []);
}

function refreshIfShown(alert: Alert, effects: Effect[]): AlertTransition {
  return {
    alert,
    effects: alert.notified ? [...effects, { type: "refresh", alert }] : effects,
    changed: true,
  };
}

function startFlapping(alert: Alert, now: number, ctx: DecideContext, effects: Effect[]): AlertTransition {
  const suppressed = ctx.suppressedBy(alert, now);
  const flapping: Alert = { ...alert, status: "flapping", suppressed, firedAt: alert.firedAt ?? now };
  if (suppressed) return { alert: flapping, effects, changed: true };
  const shown = { ...flapping, notified: true, lastNotifiedAt: now };
  return {
    alert: shown,
    effects: [...effects, { type: "announce", alert: shown, reason: "flapping" }],
    changed: true,
  };
}

function resolve(alert: Alert, at: number, rule: RuleSettings): AlertTransition {
  const resolved: Alert = { ...alert, status: "resolved", condition: "ok", resolvedAt: at };
  if (!alert.notified) return { alert: resolved, effects: [], changed: true };
  const effects: Effect[] = rule.recovery
    ? [{ type: "recovered", alert: resolved, afterMs: at - alert.since }]
    : [{ type: "refresh", alert: resolved }];
  return { alert: resolved, effects, changed: true };
}

function oneShot(alert: Alert, now: number, ctx: DecideContext): AlertTransition {
  const suppressed = ctx.suppressedBy(alert, now);
  const done: Alert = { ...alert, status: "resolved", firedAt: now, resolvedAt: now, suppressed };
  if (suppressed) return { alert: done, effects: [], changed: true };
  const shown = { ...done, notified: true, lastNotifiedAt: now };
  return { alert: shown, effects: [{ type: "announce", alert: shown, reason: "one-shot" }], changed: true };
}
