import type { RuleName } from "../../config/alerts-schema.js";

export type { RuleName } from "../../config/alerts-schema.js";

export type Severity = "info" | "warning" | "critical";
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * pending: the condition is bad but the hold time has not passed (nobody told yet).
 * firing: announced (or would be, but suppressed). flapping: too many transitions in the window; one
 * message, updated, until it settles. resolved: the condition cleared (or a one-shot was announced).
 */
export type AlertStatus = "pending" | "firing" | "flapping" | "resolved";
export const ACTIVE_STATUSES: readonly AlertStatus[] = ["pending", "firing", "flapping"];

export interface Alert {
  /** 0 until stored. */
  id: number;
  key: string;
  device: string;
  rule: RuleName;
  object: string;
  severity: Severity;
  status: AlertStatus;
  condition: "bad" | "ok";
  value: string;
  since: number;
  firedAt: number | null;
  resolvedAt: number | null;
  notified: boolean;
  lastNotifiedAt: number | null;
  transitions: number[];
  ackedBy: string | null;
  ackedAt: number | null;
  ackedSeverity: Severity | null;
  suppressed: string | null;
  groupId: number | null;
  detail: Record<string, unknown>;
}

/** What a change-log row means for one rule: the condition of one object, now. */
export interface RuleEvent {
  key: string;
  device: string;
  rule: RuleName;
  object: string;
  condition: "bad" | "ok";
  severity: Severity;
  value: string;
  at: number;
  detail: Record<string, unknown>;
  /** Announce once and resolve at once (firmware changed, config changed): nothing to recover from. */
  oneShot?: boolean;
}

/** A rule with every setting resolved (durations in ms). */
export interface RuleSettings {
  name: RuleName;
  enabled: boolean;
  severity?: Severity;
  holdMs: number;
  renotifyMs: number;
  recovery: boolean;
  afterFailures: number;
  /** error_rate: raise at or above, clear below (errors per minute). */
  threshold: number;
  clearThreshold: number;
  runbook?: { name: string; params: Record<string, string> };
}

/**
 * What the edge must do after a decision. The engine turns them into group updates (rendered from the
 * store) and thread notes; nothing here touches the chat or the store.
 */
export type Effect =
  /** Show the alert in its group's message (opening a group when none is open). */
  | { type: "announce"; alert: Alert; reason: "fired" | "flapping" | "worse" | "unsuppressed" | "one-shot" }
  /** Re-render the alert's group message (status, count, ack shown). */
  | { type: "refresh"; alert: Alert }
  | { type: "recovered"; alert: Alert; afterMs: number }
  | { type: "renotify"; alert: Alert }
  | { type: "settled"; alert: Alert };

export const alertKey = (device: string, rule: string, object: string): string =>
  `${device}\u0001${rule}\u0001${object}`;
