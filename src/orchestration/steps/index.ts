import type { ChatPort } from "../../chat/port.js";
import type { Clock } from "../../lib/clock.js";
import type { SshRunner, SshTarget } from "../../lib/ssh/types.js";
import type { FleetView } from "../management-port.js";
import { createGateExecutor } from "./gate.js";
import { createLocalExecutor } from "./local.js";
import { createNotifyExecutor } from "./notify.js";
import { createSshExecutor } from "./ssh.js";
import type { Executors, Sleep } from "./types.js";
import { createWaitExecutor } from "./wait.js";

/** The standard executors, wired to the ports the composition root (or a test) provides. */
export function createExecutors(deps: {
  ssh: SshRunner;
  sshTargetFor(device: string): SshTarget | undefined;
  fleet: FleetView;
  chat: ChatPort;
  channels: Readonly<Record<string, string>>;
  notifyChannel?: string;
  clock: Clock;
  sleep: Sleep;
  maxOutputBytes: number;
  localEnv?: NodeJS.ProcessEnv;
}): Executors {
  return {
    ssh: createSshExecutor({
      ssh: deps.ssh,
      targetFor: deps.sshTargetFor,
      maxOutputBytes: deps.maxOutputBytes,
    }),
    local: createLocalExecutor(deps.localEnv ? { env: deps.localEnv } : {}),
    gate: createGateExecutor({ fleet: deps.fleet, clock: deps.clock }),
    wait: createWaitExecutor({ sleep: deps.sleep }),
    notify: createNotifyExecutor({
      chat: deps.chat,
      channels: deps.channels,
      ...(deps.notifyChannel ? { defaultChannel: deps.notifyChannel } : {}),
    }),
  };
}
