import type { ActionSpec, CommandSpec } from "../src/chat/command.js";
import abort from "./abort.js";
import audit from "./audit.js";
import cancel from "./cancel.js";
import help from "./help.js";
import resume from "./resume.js";
import run from "./run.js";
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
];

/** Every button action, by action id. */
export const actions: ActionSpec[] = [];
