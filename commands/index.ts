import type { ActionSpec, CommandSpec } from "../src/chat/command.js";
import abort from "./abort.js";
import approve, { approveAction } from "./approve.js";
import audit from "./audit.js";
import cancel from "./cancel.js";
import help from "./help.js";
import reject, { rejectAction } from "./reject.js";
import resume from "./resume.js";
import run from "./run.js";
import { abortAction, cancelAction, detailsAction, resumeAction } from "./run-actions.js";
import runStatus from "./run-status.js";
import runbooks from "./runbooks.js";
import runs from "./runs.js";
import whoami from "./whoami.js";

/** Every chat command, in the order `help` lists them. One module per command. */
export const commands: CommandSpec[] = [
  help,
  whoami,
  audit,
  runbooks,
  run,
  runStatus,
  runs,
  cancel,
  resume,
  abort,
  approve,
  reject,
];

/** Every button action, by action id. */
export const actions: ActionSpec[] = [
  approveAction,
  rejectAction,
  detailsAction,
  cancelAction,
  resumeAction,
  abortAction,
];
