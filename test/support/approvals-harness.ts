import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { homeView } from "../../commands/app-home.js";
import { createSlackApp, type SlackApp } from "../../src/chat/slack/app.js";
import { parseConfig } from "../../src/config/load.js";
import { type Clock, systemClock } from "../../src/lib/clock.js";
import { createLogger, silentLogger } from "../../src/lib/logger.js";
import { type Core, createCore } from "../../src/main.js";
import type { RunReporterOptions } from "../../src/orchestration/presenters/run-reporter.js";
import {
  blockAction,
  DEFAULT_CHANNELS,
  DEFAULT_USERS,
  type PostedMessage,
  type SlackEmulator,
  slashCommand,
  type WorkspaceSeed,
} from "./slack-emulator/index.js";

/**
 * opsbot as `opsbot start` runs it in Slack (real Bolt app, real core with the shipped commands and
 * actions, real SQLite file, orchestration started), against the local Slack emulator — plus the
 * clicks and slash commands a person would send. Used by the approval e2e tests, the restart child
 * and the approvals benchmark.
 */
export const SIGNING_SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

export const USERS = {
  alice: "U0ALICE01", // requester (dev)
  bob: "U0BOB0001", // approver (ops)
  carol: "U0CAROL01", // approver (ops)
  dave: "U0DAVE001", // nobody special
} as const;

export const SEED: WorkspaceSeed = {
  users: [...DEFAULT_USERS, { id: USERS.dave, name: "dave", realName: "Dave Visitor" }],
  channels: [
    ...DEFAULT_CHANNELS,
    { id: "C0DEPLOY1", name: "deploys", kind: "channel" },
    { id: "C0INFRA01", name: "infra", kind: "channel" },
  ],
};

/** Config for the approval tests; `extraRoles` are more `role: [members]` lines (2-space indented). */
export function approvalsYaml(runbooksDir: string, extraRoles = ""): string {
  return `roles:
  ops: [${USERS.bob}, ${USERS.carol}]
  dev: [${USERS.alice}]
${extraRoles}orchestration: { runbooks_dir: ${JSON.stringify(runbooksDir)}, allow_local: true, watch: false, output_cap_bytes: 268435456, default_runners: [role:dev, role:ops] }
`;
}

export function writeRunbooks(dir: string, runbooks: Record<string, string>): string {
  const path = join(dir, "runbooks");
  mkdirSync(path, { recursive: true });
  for (const [name, text] of Object.entries(runbooks)) writeFileSync(join(path, `${name}.yaml`), text);
  return path;
}

export interface Bot {
  app: SlackApp;
  core: Core;
  port?: number;
  stop(): Promise<void>;
}

export async function startBot(o: {
  emu: SlackEmulator;
  dbPath: string;
  yaml: string;
  mode?: "socket" | "http";
  reporter?: RunReporterOptions;
  /** Environment for credentials the config names by variable. */
  env?: NodeJS.ProcessEnv;
  /** The outbox's pacing per channel (default Slack's 1 s); start the emulator with the same. */
  channelIntervalMs?: number;
  /** The core's clock (default the system clock); Slack's transport keeps real time. */
  clock?: Clock;
  /** Owner behaviour: Core.start runs the schedules (the harness otherwise starts only orchestration). */
  owner?: boolean;
}): Promise<Bot> {
  const config = parseConfig(o.yaml, "test.yaml", {});
  const logger = process.env.APPROVALS_TEST_LOG
    ? createLogger({ level: process.env.APPROVALS_TEST_LOG })
    : silentLogger();
  const settings =
    o.mode === "http"
      ? {
          mode: "http" as const,
          botToken: o.emu.botToken,
          signingSecret: SIGNING_SECRET,
          port: 0,
          apiUrl: o.emu.apiUrl,
        }
      : { mode: "socket" as const, botToken: o.emu.botToken, appToken: o.emu.appToken, apiUrl: o.emu.apiUrl };
  const app = createSlackApp({
    settings,
    config,
    clock: systemClock,
    logger,
    httpHost: "127.0.0.1",
    ...(o.channelIntervalMs === undefined ? {} : { channelIntervalMs: o.channelIntervalMs }),
  });
  const core = createCore({
    config,
    dbPath: o.dbPath,
    logger,
    chat: app.chat,
    ...(o.reporter ? { reporter: o.reporter } : {}),
    ...(o.env ? { env: o.env } : {}),
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.owner ? { run: { schedules: true, syncDevices: false } } : {}),
  });
  // As src/main.ts wires Slack mode: the App Home, re-published when runs, approvals or alerts change.
  const started = await app.start(core.router, { home: (user) => homeView(user, core.services) });
  core.onStateChange(() => app.refreshHome());
  if (o.owner) await core.start();
  else core.services.orchestration?.start();
  if (o.mode !== "http") await o.emu.socket.waitForConnection();
  return {
    app,
    core,
    ...(started.port ? { port: started.port } : {}),
    async stop() {
      // A run still waiting (for a person, or stuck) must not hold the test up.
      const settle = (p: Promise<void> | undefined) =>
        Promise.race([p, new Promise<void>((r) => setTimeout(r, 10_000).unref())]);
      await settle(core.services.orchestration?.idle());
      await settle(core.services.runReporter?.idle());
      await app.stop(5000);
      core.close();
    },
  };
}

/** What a person does in Slack, as envelopes through the emulator's Socket Mode endpoint. */
export function person(emu: SlackEmulator) {
  return {
    slash: (user: string, channel: string, text: string) =>
      emu.socket.deliver(
        "slash_commands",
        slashCommand({ text, user, channel, responseUrl: emu.responseUrl(channel, user) }),
      ),
    click: (user: string, message: PostedMessage, actionId: string) =>
      emu.socket.deliver("interactive", clickPayload(emu, user, message, actionId)),
  };
}

export function clickPayload(emu: SlackEmulator, user: string, message: PostedMessage, actionId: string) {
  const value = buttonValue(message, actionId);
  if (value === undefined) throw new Error(`no ${actionId} button on message ${message.ts}: ${message.text}`);
  return blockAction({
    actionId,
    value,
    user,
    channel: message.channel,
    messageTs: message.ts,
    ...(message.threadTs ? { threadTs: message.threadTs } : {}),
    responseUrl: emu.responseUrl(message.channel, user),
  });
}

export function buttonValue(message: PostedMessage, actionId: string): string | undefined {
  for (const b of message.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[]) {
    if (b.type !== "actions") continue;
    const e = b.elements?.find((x) => x.action_id === actionId);
    if (e) return e.value;
  }
  return undefined;
}

export const actionIds = (m: PostedMessage): string[] =>
  (m.blocks as { type: string; elements?: { action_id?: string }[] }[])
    .filter((b) => b.type === "actions")
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id ?? ""));

/** The run's parent message (found by its heading), in its current (updated) form. */
export function parentMessage(emu: SlackEmulator, runId: number, runbook: string): PostedMessage | undefined {
  return emu.workspace.messages.find(
    (m) =>
      !m.threadTs &&
      !m.visibleTo &&
      m.via === "chat.postMessage" &&
      m.text.startsWith(`Run ${runId} · ${runbook} · `),
  );
}

export const threadOf = (emu: SlackEmulator, parent: PostedMessage): PostedMessage[] =>
  emu.workspace.messages.filter(
    (m) => m.threadTs === parent.ts && m.channel === parent.channel && !m.visibleTo,
  );

export const ephemeralsFor = (emu: SlackEmulator, user: string): PostedMessage[] =>
  emu.workspace.messages.filter((m) => m.visibleTo === user);
