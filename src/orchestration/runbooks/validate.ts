import { anchored, checkParam } from "../params.js";
import { parseTemplate, shellPlacementErrors, type TemplateRef } from "../template.js";
import type { PathSegment } from "./problems.js";
import { ACTION_KINDS, type RollbackStep, type Runbook, type Step } from "./schema.js";

/**
 * Checks a JSON Schema cannot express: the step graph (duplicate ids, unknown needs, cycles), retry
 * rules, parameter specs, and every template (known names, shell-safe placement). Pure; the loader
 * turns the paths into file:line:col.
 */
export interface SemanticProblem {
  path: PathSegment[];
  message: string;
}

export function validateRunbook(rb: Runbook): SemanticProblem[] {
  const out: SemanticProblem[] = [];
  const add = (path: PathSegment[], message: string) => out.push({ path, message });
  checkParams(rb, add);
  checkTopTemplates(rb, add);
  checkSteps(rb, add);
  checkGraph(rb, add);
  return out;
}

type Add = (path: PathSegment[], message: string) => void;

function checkParams(rb: Runbook, add: Add): void {
  for (const [name, spec] of Object.entries(rb.params)) {
    const at: PathSegment[] = ["params", name];
    if (spec.type === "enum" && !spec.choices) add([...at, "type"], "type enum needs choices: [a, b, …]");
    if (spec.type !== "enum" && spec.choices) add([...at, "choices"], "choices only apply to type enum");
    if (spec.pattern !== undefined) {
      try {
        anchored(spec.pattern);
      } catch (err) {
        add([...at, "pattern"], `not a valid regular expression: ${(err as Error).message}`);
        continue;
      }
    }
    if (spec.default !== undefined && spec.type !== "device") {
      const checked = checkParam(name, spec, String(spec.default), { devices: [] });
      if ("error" in checked) add([...at, "default"], `default does not fit: ${checked.error}`);
    }
    if (spec.required === true && spec.default !== undefined) {
      add([...at, "required"], "a parameter with a default is never missing; drop required or the default");
    }
  }
}

function checkRefs(
  rb: Runbook,
  add: Add,
  path: PathSegment[],
  text: string,
  opts: { shell?: boolean; allowTarget: boolean; allowSecret: boolean; mustHaveValue?: boolean },
): void {
  const parsed = parseTemplate(text);
  for (const e of parsed.errors) add(path, e);
  for (const seg of parsed.segments) {
    if (!("ref" in seg)) continue;
    checkRef(rb, add, path, seg.ref, opts);
  }
  if (opts.shell) for (const e of shellPlacementErrors(text)) add(path, e);
}

function checkRef(
  rb: Runbook,
  add: Add,
  path: PathSegment[],
  ref: TemplateRef,
  opts: { allowTarget: boolean; allowSecret: boolean; mustHaveValue?: boolean },
): void {
  if (ref.kind === "param") {
    const spec = rb.params[ref.name];
    if (spec && opts.mustHaveValue && spec.required === false && spec.default === undefined) {
      // Found only when someone runs without it — after the approvals. Refuse the file instead.
      add(
        path,
        `optional parameter "${ref.name}" has no default, so a run without it cannot render this; give it a default or drop required: false`,
      );
    }
    if (!spec) {
      const known = Object.keys(rb.params);
      add(
        path,
        `unknown parameter "${ref.name}"${known.length ? ` (expected one of: ${known.join(", ")})` : ""}`,
      );
    } else if (spec.secret && !opts.allowSecret) {
      add(path, `secret parameter "${ref.name}" cannot be used here: the value would be stored and shown`);
    }
  } else if (ref.kind === "target" && !opts.allowTarget) {
    add(path, `{{ target.${ref.field} }} is only available inside steps`);
  }
}

function checkTopTemplates(rb: Runbook, add: Add): void {
  const plainOpts = { allowTarget: false, allowSecret: false };
  rb.targets?.forEach((t, i) => {
    checkRefs(rb, add, ["targets", i], t, plainOpts);
  });
  if (typeof rb.lock === "string" && rb.lock !== "targets") checkRefs(rb, add, ["lock"], rb.lock, plainOpts);
  if (Array.isArray(rb.lock)) {
    rb.lock.forEach((l, i) => {
      checkRefs(rb, add, ["lock", i], l, plainOpts);
    });
  }
}

function checkStepBody(
  rb: Runbook,
  add: Add,
  at: PathSegment[],
  step: Step | RollbackStep,
  rollback: boolean,
): void {
  const kinds = ACTION_KINDS.filter((k) => step[k] !== undefined);
  if (kinds.length === 0) add(at, `a step needs exactly one action: ${ACTION_KINDS.join(", ")}`);
  if (kinds.length > 1)
    add([...at, kinds[1]!], `a step has exactly one action; this one also has ${kinds[0]}`);
  if (rollback && step.approval !== undefined)
    add([...at, "approval"], "a rollback step cannot wait for approval");
  if (step.retries > 0 && !step.idempotent) {
    add([...at, "retries"], "retries are allowed only on steps marked idempotent: true");
  }
  if (step.backoff !== undefined && step.retries === 0) add([...at, "backoff"], "backoff needs retries");
  const t = { allowTarget: true, mustHaveValue: true };
  if (step.ssh) {
    checkRefs(rb, add, [...at, "ssh", "command"], step.ssh.command, { ...t, shell: true, allowSecret: true });
    if (step.ssh.on !== undefined)
      checkRefs(rb, add, [...at, "ssh", "on"], step.ssh.on, { ...t, allowSecret: false });
  }
  if (step.local) {
    checkRefs(rb, add, [...at, "local", "command"], step.local.command, {
      ...t,
      shell: true,
      allowSecret: true,
    });
  }
  if (step.gate) {
    const g = step.gate;
    if (g.on !== undefined) checkRefs(rb, add, [...at, "gate", "on"], g.on, { ...t, allowSecret: false });
    const conditions = [g.reachable, g.ports_up, g.no_failing_drives, g.firmware].filter(
      (c) => c !== undefined,
    );
    if (conditions.length === 0) {
      add([...at, "gate"], "a gate needs a condition: reachable, ports_up, no_failing_drives or firmware");
    }
    if (g.firmware && g.firmware.at_least === undefined && g.firmware.at_most === undefined) {
      add([...at, "gate", "firmware"], "set at_least, at_most or both");
    }
    for (const bound of ["at_least", "at_most"] as const) {
      const v = g.firmware?.[bound];
      if (v !== undefined)
        checkRefs(rb, add, [...at, "gate", "firmware", bound], v, { ...t, allowSecret: false });
    }
  }
  if (step.notify) {
    checkRefs(rb, add, [...at, "notify", "message"], step.notify.message, { ...t, allowSecret: false });
  }
  if (step.approval?.message !== undefined) {
    checkRefs(rb, add, [...at, "approval", "message"], step.approval.message, { ...t, allowSecret: false });
  }
}

function checkSteps(rb: Runbook, add: Add): void {
  rb.steps.forEach((step, i) => {
    const at: PathSegment[] = ["steps", i];
    checkStepBody(rb, add, at, step, false);
    if (step.max_parallel !== undefined && step.for_each === undefined) {
      add([...at, "max_parallel"], "max_parallel needs for_each: targets");
    }
    if (step.approval !== undefined && step.approval.approvers === undefined && rb.approvers === undefined) {
      add([...at, "approval"], "an approval step needs approvers (here or at the top of the runbook)");
    }
    if (step.for_each !== undefined && step.approval !== undefined) {
      add([...at, "for_each"], "an approval step runs once, not per target");
    }
    step.on_failure?.forEach((rs, j) => {
      checkStepBody(rb, add, [...at, "on_failure", j], rs, true);
    });
  });
}

/** Rollback steps without an id get `<step>-rollback-<n>`; ids must be unique across the whole file. */
export function rollbackId(owner: Step, index: number): string {
  return owner.on_failure?.[index]?.id ?? `${owner.id}-rollback-${index + 1}`;
}

function checkGraph(rb: Runbook, add: Add): void {
  const index = new Map<string, number>();
  const seen = new Map<string, string>();
  rb.steps.forEach((s, i) => {
    const prev = seen.get(s.id);
    if (prev !== undefined) add(["steps", i, "id"], `duplicate step id "${s.id}" (also ${prev})`);
    else {
      seen.set(s.id, `steps[${i}]`);
      index.set(s.id, i);
    }
  });
  rb.steps.forEach((s, i) => {
    s.on_failure?.forEach((_, j) => {
      const id = rollbackId(s, j);
      const prev = seen.get(id);
      if (prev !== undefined)
        add(["steps", i, "on_failure", j, "id"], `duplicate step id "${id}" (also ${prev})`);
      else seen.set(id, `steps[${i}].on_failure[${j}]`);
    });
  });
  rb.steps.forEach((s, i) => {
    s.needs.forEach((n, j) => {
      if (n === s.id) add(["steps", i, "needs", j], "a step cannot need itself");
      else if (!index.has(n)) {
        add(
          ["steps", i, "needs", j],
          `unknown step "${n}" (expected one of: ${[...index.keys()].join(", ")})`,
        );
      }
    });
  });
  // Depth-first search; a grey node reached again closes a cycle, reported once at its first member.
  const colour = new Map<string, "grey" | "black">();
  const stack: string[] = [];
  const visit = (id: string): void => {
    colour.set(id, "grey");
    stack.push(id);
    const step = rb.steps[index.get(id)!]!;
    for (const n of step.needs) {
      if (n === id || !index.has(n)) continue;
      const c = colour.get(n);
      if (c === "grey") {
        const cycle = [...stack.slice(stack.indexOf(n)), n];
        const first = index.get(n)!;
        const j = rb.steps[first]!.needs.indexOf(cycle[1] ?? n);
        add(["steps", first, "needs", Math.max(0, j)], `dependency cycle: ${cycle.join(" → ")}`);
      } else if (c === undefined) visit(n);
    }
    stack.pop();
    colour.set(id, "black");
  };
  for (const id of index.keys()) if (!colour.has(id)) visit(id);
}
