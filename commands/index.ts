import abort from "./abort.js";
import ack from "./ack.js";
import { alertActions } from "./alert-actions.js";
import alerts from "./alerts.js";
import { amActions } from "./am-actions.js";
import approve, { approveAction } from "./approve.js";
import as from "./as.js";
import audit from "./audit.js";
import backupDiff from "./backup-diff.js";
import backupNow from "./backup-now.js";
import backups from "./backups.js";
import cancel from "./cancel.js";
import changes from "./changes.js";
import device from "./device.js";
import drives from "./drives.js";
import drivesFailing from "./drives-failing.js";
import firmware from "./firmware.js";
import firmwareDrift from "./firmware-drift.js";
import flaps from "./flaps.js";
import fleet from "./fleet.js";
import graph from "./graph.js";
import help from "./help.js";
import inventory from "./inventory.js";
import inventoryCheck from "./inventory-check.js";
import inventoryDiff from "./inventory-diff.js";
import inventoryRefresh from "./inventory-refresh.js";
import links from "./links.js";
import linksDown from "./links-down.js";
import refresh from "./refresh.js";
import reject, { rejectAction } from "./reject.js";
import resume from "./resume.js";
import run from "./run.js";
import { abortAction, cancelAction, detailsAction, resumeAction } from "./run-actions.js";
import runLog from "./run-log.js";
import { paramsAction, paramsSubmitAction } from "./run-params.js";
import runStatus from "./run-status.js";
import runbooks from "./runbooks.js";
import runs from "./runs.js";
import type { Action, Command } from "./services.js";
import silence from "./silence.js";
import silences from "./silences.js";
import unsilence from "./unsilence.js";
import whoami from "./whoami.js";

/** Every chat command, in the order `help` lists them. One module per command. */
export const commands: Command[] = [
  help,
  whoami,
  as,
  fleet,
  device,
  links,
  linksDown,
  graph,
  changes,
  flaps,
  drives,
  drivesFailing,
  firmware,
  firmwareDrift,
  refresh,
  inventory,
  inventoryRefresh,
  inventoryDiff,
  inventoryCheck,
  backups,
  backupDiff,
  backupNow,
  runbooks,
  run,
  runStatus,
  runLog,
  runs,
  cancel,
  resume,
  abort,
  approve,
  reject,
  alerts,
  ack,
  silence,
  silences,
  unsilence,
  audit,
];

/** Every button action, by action id. */
export const actions: Action[] = [
  ...alertActions,
  ...amActions,
  approveAction,
  rejectAction,
  detailsAction,
  cancelAction,
  resumeAction,
  abortAction,
  paramsAction,
  paramsSubmitAction,
];
