/**
 * zod parse options for a schema parsed once per load (the config, a device's profile blocks, a
 * runbook): zod's eval-compiled fast path costs more to build than one interpreted parse. Same
 * checks, same messages; schemas parsed per request (webhook payloads) keep the fast path.
 */
export const PARSE_ONCE = { jitless: true } as const;
