import * as z from "zod";

/**
 * The runbook format. This zod schema is the single source: `runbooks/runbook.schema.json` (for editors)
 * is generated from it, and the loader validates every file with it before the semantic checks in
 * validate.ts (graph, templates, quoting) that a JSON Schema cannot express.
 */

export const DURATION_PATTERN = "^(\\d+(ms|s|m|h|d|w))+$";
export const PARAM_TYPES = ["string", "int", "bool", "enum", "device", "duration"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export const ACTION_KINDS = ["ssh", "local", "gate", "wait", "approval", "notify"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/**
 * Built at first use (see `runbookSchema`): zod schemas cost to construct, and most processes (a
 * one-shot `opsbot ask`, the poller) never read a runbook.
 */
function build() {
  const duration = z
    .string()
    .regex(new RegExp(DURATION_PATTERN), "a duration such as 30s, 5m or 1h30m")
    .describe("A duration: digits and a unit (ms, s, m, h, d, w), e.g. 30s, 5m, 1h30m.");

  const identifier = z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, "lowercase letters, digits, '_' or '-', starting with a letter");

  /** Who: `role:<role>`, `user:<id>`, `group:<user group id>`; a bare word is a role. */
  const principal = z
    .string()
    .regex(/^((role|user|group):)?[^\s:]+$/, "role:<role>, user:<id> or group:<user group id>");

  const paramName = z.string().regex(/^[a-z_][a-z0-9_]*$/, "lowercase letters, digits or '_'");

  const paramSchema = z
    .object({
      type: z
        .enum(PARAM_TYPES)
        .describe("string | int | bool | enum | device (a configured device) | duration"),
      description: z.string().optional(),
      /** Regular expression the whole value must match (anchored for you). */
      pattern: z.string().optional().describe("Regular expression the whole value must match (anchored)."),
      /** Allowed values, for type enum. */
      choices: z.array(z.string().min(1)).min(1).optional().describe("Allowed values (type enum)."),
      default: z
        .union([z.string(), z.number(), z.boolean()], { error: "expected a string, number or boolean" })
        .optional(),
      /** Defaults to true unless a default is given. */
      required: z.boolean().optional().describe("Defaults to true unless a default is given."),
      /** Masked in plans, chat and logs; redacted from output with its base64 and URL-encoded forms. */
      secret: z
        .boolean()
        .default(false)
        .describe("Masked everywhere; redacted from output (also base64/URL forms)."),
    })
    .strict();

  const template = z
    .string()
    .describe("Text that may contain {{ params.x }}, {{ target.name }}, {{ target.host }}.");

  const sshAction = z
    .object({
      command: template
        .min(1)
        .describe(
          "Shell command. Every {{ … }} is inserted single-quoted: never put it inside quotes yourself.",
        ),
      on: template
        .optional()
        .describe("Device to run on. Default: the for_each target, or the run's only target."),
    })
    .strict();

  const localAction = z
    .object({
      command: template
        .min(1)
        .describe("Shell command on the bot host (needs orchestration.allow_local: true)."),
    })
    .strict();

  const gateAction = z
    .object({
      on: template
        .optional()
        .describe("Device to check. Default: the for_each target, or the run's only target."),
      reachable: z.boolean().optional().describe("The device answered its last poll."),
      ports_up: z
        .union([z.literal(true), z.string().min(1)], { error: "expected true or a glob such as 'Gi1/0/4*'" })
        .optional()
        .describe("Every admin-up port (or those whose name/alias match this glob) is oper-up."),
      no_failing_drives: z.boolean().optional().describe("No drive or array is failed or degraded."),
      firmware: z
        .object({ at_least: template.min(1).optional(), at_most: template.min(1).optional() })
        .strict()
        .optional()
        .describe("Firmware version bounds (inclusive)."),
      max_age: duration.optional().describe("Data older than this fails the gate. Default 15m."),
    })
    .strict();

  const approvalAction = z
    .object({
      message: template.optional(),
      approvers: z.array(z.string().min(1)).min(1).optional(),
      min_approvals: z.number().int().min(1).optional(),
      allow_self: z.boolean().optional(),
      expires_in: duration.optional(),
    })
    .strict();

  const notifyAction = z
    .object({
      message: template.min(1),
      channel: z
        .string()
        .min(1)
        .optional()
        .describe("A channel name from the config. Default: the run's thread."),
    })
    .strict();

  const actions = {
    ssh: sshAction.optional(),
    local: localAction.optional(),
    gate: gateAction.optional(),
    wait: duration.optional(),
    approval: approvalAction.optional(),
    notify: notifyAction.optional(),
  };

  const behaviour = {
    name: z.string().min(1).optional(),
    timeout: duration.optional().describe("Per attempt. Default: orchestration.default_step_timeout."),
    idempotent: z
      .boolean()
      .default(false)
      .describe("Safe to run again: allows retries and automatic resume."),
    retries: z.number().int().min(0).max(20).default(0).describe("Extra attempts; needs idempotent: true."),
    backoff: duration
      .optional()
      .describe("Delay before the first retry, doubled for each next one. Default 5s."),
    continue_on_error: z.boolean().default(false),
  };

  const oneAction = ACTION_KINDS.map((k) => ({ required: [k] }));

  const rollbackStepSchema = z
    .object({ id: identifier.optional(), ...behaviour, ...actions })
    .strict()
    .meta({ oneOf: oneAction.filter((a) => a.required[0] !== "approval") });

  const stepSchema = z
    .object({
      id: identifier,
      needs: z.array(identifier).default([]),
      for_each: z.literal("targets").optional().describe("Run once per target of the run."),
      max_parallel: z
        .number()
        .int()
        .min(1)
        .optional()
        .describe("Targets in flight at once (default 1), across a chain of for_each steps."),
      on_failure: z
        .array(rollbackStepSchema)
        .optional()
        .describe("Rollback steps, run in order when this step fails."),
      ...behaviour,
      ...actions,
    })
    .strict()
    .meta({ oneOf: oneAction });

  const runbookSchema = z
    .object({
      $schema: z.string().optional(),
      name: identifier,
      description: z.string().optional(),
      params: z.record(paramName, paramSchema).default({}),
      targets: z
        .array(template.min(1))
        .optional()
        .describe("Device names, tag:<tag>, or {{ params.x }} of type device."),
      approvers: z
        .array(z.string().min(1))
        .optional()
        .describe("role:<role> or user:<id> (a bare word is a role). None: runs start without approval."),
      runners: z
        .array(principal)
        .min(1)
        .optional()
        .describe(
          "Who may request it: role:<role>, user:<id>, group:<Slack user group id>. Default: orchestration.default_runners. Required when there are no approvers.",
        ),
      channels: z
        .array(z.string().min(1))
        .min(1)
        .optional()
        .describe(
          "Logical channel names (from the config's channels:, or dm for direct messages) where it may be requested, approved and controlled. Default: everywhere.",
        ),
      min_approvals: z.number().int().min(1).default(1),
      allow_self: z.boolean().default(false),
      expires_in: duration
        .optional()
        .describe("Approval expiry. Default: orchestration.approval_expires_in."),
      lock: z
        .union([z.literal("targets"), template.min(1), z.array(template.min(1)).min(1)], {
          error: "expected 'targets', a lock key, or a list of lock keys",
        })
        .optional()
        .describe("Runs sharing a lock key never overlap. 'targets' locks every target device."),
      steps: z.array(stepSchema).min(1, "a runbook needs at least one step"),
    })
    .strict();
  return {
    param: paramSchema,
    rollbackStep: rollbackStepSchema,
    step: stepSchema,
    runbook: runbookSchema,
    gateAction,
    approvalAction,
  };
}

type Schemas = ReturnType<typeof build>;
let built: Schemas | undefined;

/** The runbook schema (and every part of it), built once, at the first call. */
export function runbookSchema(): Schemas["runbook"] {
  built ??= build();
  return built.runbook;
}

export type Runbook = z.infer<Schemas["runbook"]>;
export type Step = z.infer<Schemas["step"]>;
export type RollbackStep = z.infer<Schemas["rollbackStep"]>;
export type ParamSpec = z.infer<Schemas["param"]>;
export type GateSpec = z.infer<Schemas["gateAction"]>;
export type ApprovalSpec = z.infer<Schemas["approvalAction"]>;

/** The single action of a step (the schema guarantees one after validation). */
export function actionKind(step: RollbackStep | Step): ActionKind {
  for (const k of ACTION_KINDS) if (step[k] !== undefined) return k;
  throw new Error(`step ${step.id ?? "?"} has no action`);
}
