import { ConfigError } from "../../lib/errors.js";

/**
 * Slack settings from the environment. Socket Mode (bot token + app-level token) is the default;
 * HTTP mode is chosen when a signing secret and a port are set. A variable that is present but empty,
 * or a token of the wrong kind, stops start-up with one sentence naming it and where to get it.
 */
export type SlackSettings =
  | { mode: "socket"; botToken: string; appToken: string; apiUrl?: string }
  | { mode: "http"; botToken: string; signingSecret: string; port: number; apiUrl?: string };

const APPS = "https://api.slack.com/apps";

const WHERE = {
  SLACK_BOT_TOKEN: `copy the Bot User OAuth Token (xoxb-…) from ${APPS} → your app → OAuth & Permissions, after installing the app to your workspace`,
  SLACK_APP_TOKEN: `create an app-level token (xapp-…) with the connections:write scope at ${APPS} → your app → Basic Information → App-Level Tokens`,
  SLACK_SIGNING_SECRET: `copy the Signing Secret from ${APPS} → your app → Basic Information → App Credentials`,
} as const;

type Env = Record<string, string | undefined>;

/** True when the environment asks for Slack at all (any Slack variable is present, even empty). */
export function slackRequested(env: Env): boolean {
  return ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"].some((k) => env[k] !== undefined);
}

/** Returns undefined when no Slack variable is set (opsbot then runs with the console only). */
export function readSlackSettings(env: Env): SlackSettings | undefined {
  if (!slackRequested(env)) return undefined;
  const botToken = required(env, "SLACK_BOT_TOKEN", "xoxb-");
  const apiUrl = readApiUrl(env.SLACK_API_URL);
  const base = apiUrl ? { apiUrl } : {};

  if (env.SLACK_SIGNING_SECRET !== undefined) {
    const signingSecret = env.SLACK_SIGNING_SECRET.trim();
    if (signingSecret === "") {
      throw new ConfigError(
        `SLACK_SIGNING_SECRET is empty: ${WHERE.SLACK_SIGNING_SECRET}, or unset it to use Socket Mode.`,
      );
    }
    if (env.SLACK_APP_TOKEN === undefined || env.PORT !== undefined) {
      return { mode: "http", botToken, signingSecret, port: readPort(env.PORT), ...base };
    }
  }
  const appToken = required(env, "SLACK_APP_TOKEN", "xapp-");
  return { mode: "socket", botToken, appToken, ...base };
}

function required(env: Env, name: keyof typeof WHERE, prefix: string): string {
  const value = env[name]?.trim();
  if (value === undefined) {
    const hint = name === "SLACK_APP_TOKEN" ? " (or set SLACK_SIGNING_SECRET and PORT for HTTP mode)" : "";
    throw new ConfigError(`${name} is not set: ${WHERE[name]}${hint}.`);
  }
  if (value === "") throw new ConfigError(`${name} is empty: ${WHERE[name]}.`);
  if (!value.startsWith(prefix)) {
    throw new ConfigError(`${name} must start with ${prefix} (got ${value.slice(0, 5)}…): ${WHERE[name]}.`);
  }
  return value;
}

function readPort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") {
    throw new ConfigError(
      "PORT is not set: HTTP mode (SLACK_SIGNING_SECRET) needs the port to listen on, e.g. PORT=3000.",
    );
  }
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`PORT must be a number between 1 and 65535 (got "${raw}").`);
  }
  return port;
}

function readApiUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`SLACK_API_URL is not a URL (got "${raw}"): leave it unset to use Slack itself.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`SLACK_API_URL must be an http(s) URL (got "${raw}").`);
  }
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}
