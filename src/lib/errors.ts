/**
 * Coded errors. Every error a user can see is one of these; anything else is wrapped once at the
 * boundary (the router, the CLI) as an InternalError and logged with its detail.
 */
export type ErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_UNREADABLE"
  | "STORE_UNAVAILABLE"
  | "USAGE"
  | "UNKNOWN_COMMAND"
  | "PERMISSION_DENIED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "UNAVAILABLE"
  | "TIMEOUT"
  | "HOST_KEY_REJECTED"
  | "INTERNAL";

/** Codes that mean opsbot or a service it uses failed (not something the user can fix by asking differently). */
const FAILURE_CODES: readonly string[] = [
  "CONFIG_UNREADABLE",
  "STORE_UNAVAILABLE",
  "UNAVAILABLE",
  "TIMEOUT",
  "HOST_KEY_REJECTED",
  "INTERNAL",
] satisfies ErrorCode[];

export function isFailureCode(code: string): boolean {
  return FAILURE_CODES.includes(code);
}

export class OpsbotError extends Error {
  readonly code: ErrorCode;
  /** Extra lines shown under the one-sentence message (e.g. every validation problem). */
  readonly details: string[];

  constructor(code: ErrorCode, message: string, options: { details?: string[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? [];
  }

  /** True for mistakes the user can fix by changing what they typed or configured. */
  get isUserError(): boolean {
    return [
      "USAGE",
      "UNKNOWN_COMMAND",
      "PERMISSION_DENIED",
      "NOT_FOUND",
      "CONFLICT",
      "CONFIG_INVALID",
    ].includes(this.code);
  }
}

export class ConfigError extends OpsbotError {
  constructor(message: string, details: string[] = [], cause?: unknown) {
    super("CONFIG_INVALID", message, { details, cause });
  }
}

export class UsageError extends OpsbotError {
  constructor(message: string, details: string[] = []) {
    super("USAGE", message, { details });
  }
}

export class NotFoundError extends OpsbotError {
  constructor(message: string, details: string[] = []) {
    super("NOT_FOUND", message, { details });
  }
}

export class PermissionError extends OpsbotError {
  constructor(message: string) {
    super("PERMISSION_DENIED", message);
  }
}

export class ConflictError extends OpsbotError {
  constructor(message: string, details: string[] = []) {
    super("CONFLICT", message, { details });
  }
}

/** Wraps anything thrown that is not already an OpsbotError, exactly once. */
export function toOpsbotError(err: unknown): OpsbotError {
  if (err instanceof OpsbotError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new OpsbotError("INTERNAL", `Internal error: ${message}`, { cause: err });
}
