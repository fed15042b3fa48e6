import { type Block, buttons, context, heading, type Reply, table, text } from "../src/chat/reply.js";
import type { ChatUser } from "../src/lib/actor.js";
import { renderAmFiring } from "../src/management/alertmanager/summary.js";
import { describeAge } from "../src/management/freshness.js";
import { mayDecide } from "../src/orchestration/journal-approvals.js";
import { ACTION } from "../src/orchestration/presenters/run-message.js";
import type { Services } from "./services.js";

const MAX_ROWS = 10;

/**
 * The App Home for the user opening it, rendered from state: runs waiting for *their* approval (with
 * buttons), their running runs, open alerts on devices their teams own (device `team:` matching one of
 * their roles), Alertmanager groups firing (when Alertmanager is set up), and the fleet summary with its
 * data age. Everything here is also a command.
 */
export function homeView(user: ChatUser, services: Services): Reply {
  const now = services.clock.now();
  const blocks: Block[] = [heading(`opsbot — ${user.name}`)];
  const orchestration = services.orchestration;
  if (orchestration) {
    const active = orchestration.runs({ active: true, limit: 200 });
    const waiting = active.flatMap((run) =>
      orchestration
        .pendingApprovals(run.id)
        .filter((a) => mayDecide(a, user).ok)
        .map((a) => ({ run, approval: a })),
    );
    blocks.push(heading(`Waiting for your approval (${waiting.length})`));
    if (waiting.length === 0) blocks.push(text("Nothing is waiting for you."));
    for (const { run, approval } of waiting.slice(0, MAX_ROWS)) {
      const value = `${run.id}:${approval.id}`;
      blocks.push(
        text(
          `*Run ${run.id}: ${run.runbook}* on ${run.targets.join(", ") || "—"}, requested by ${run.requestedByName}` +
            `${approval.stepKey ? ` (step ${approval.stepKey})` : ""}`,
        ),
        buttons(
          { actionId: ACTION.approve, label: "Approve", value, style: "primary" },
          { actionId: ACTION.reject, label: "Reject", value, style: "danger" },
          { actionId: ACTION.details, label: "Details", value: String(run.id) },
        ),
      );
    }
    const mine = active.filter((r) => r.requestedBy === user.id && r.status !== "pending");
    blocks.push(heading(`Your runs in progress (${mine.length})`));
    blocks.push(
      mine.length === 0
        ? text("None.")
        : table(
            ["Run", "Runbook", "Status", "Targets"],
            mine.slice(0, MAX_ROWS).map((r) => [String(r.id), r.runbook, r.status, r.targets.join(", ")]),
          ),
    );
  }
  if (services.alerts) {
    const teams = new Set(user.roles);
    const owned = new Set(
      services.config.devices.filter((d) => d.team !== undefined && teams.has(d.team)).map((d) => d.name),
    );
    const open = services.alerts.list().filter((a) => owned.has(a.device));
    blocks.push(heading(`Open alerts for your teams (${open.length})`));
    if (owned.size === 0) {
      blocks.push(
        text("No device names one of your teams (`team:` in opsbot.yaml, matching one of your roles)."),
      );
    } else if (open.length === 0) {
      blocks.push(text(`No open alerts on your teams' ${owned.size} devices.`));
    } else {
      blocks.push(
        table(
          ["#", "Device", "Alert", "Status"],
          open
            .slice(0, MAX_ROWS)
            .map((a) => [String(a.id), a.device, `${a.rule} ${a.object}`.trim(), a.status]),
        ),
      );
    }
  }
  const amFiring = services.alertmanager.firing(MAX_ROWS);
  if (amFiring) blocks.push(...renderAmFiring(amFiring, now));
  if (services.fleet) {
    const f = services.fleet.fleet();
    blocks.push(heading("Fleet"));
    blocks.push(
      f.devices === 0
        ? text("No devices configured.")
        : text(
            `${f.devices} devices: ${f.reachable} reachable, ${f.unreachable} unreachable, ${f.neverPolled} never polled` +
              ` · ${f.portsDown} ports down · ${f.drivesFailed} drives failed, ${f.drivesWarning} warning` +
              ` · ${f.firmwareNonCompliant} below firmware baseline`,
          ),
      context(describeAge(f.age, now, { list: true })),
    );
  }
  return { blocks };
}
