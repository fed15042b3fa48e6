import type { ActionSpec, CommandSpec } from "../src/chat/command.js";
import audit from "./audit.js";
import help from "./help.js";
import whoami from "./whoami.js";

/** Every chat command, in the order `help` lists them. One module per command. */
export const commands: CommandSpec[] = [help, whoami, audit];

/** Every button action, by action id. */
export const actions: ActionSpec[] = [];
