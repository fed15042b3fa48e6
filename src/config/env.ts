/** Settings that come from the environment (and `.env`). Secrets live here, never in YAML. */
export interface EnvSettings {
  configPath: string;
  /** True when the config path was chosen explicitly (flag or OPSBOT_CONFIG), so a missing file is an error. */
  configPathExplicit: boolean;
  dbPath: string;
  logLevel: string;
  slack: {
    botToken?: string;
    appToken?: string;
    signingSecret?: string;
    port?: number;
    apiUrl?: string;
  };
}

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function readEnv(
  env: NodeJS.ProcessEnv = process.env,
  overrides: { config?: string; db?: string } = {},
): EnvSettings {
  const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
  const level = (nonEmpty(env.OPSBOT_LOG_LEVEL) ?? nonEmpty(env.LOG_LEVEL) ?? "info").toLowerCase();
  const port = nonEmpty(env.PORT);
  const slack: EnvSettings["slack"] = {};
  const botToken = nonEmpty(env.SLACK_BOT_TOKEN);
  const appToken = nonEmpty(env.SLACK_APP_TOKEN);
  const signingSecret = nonEmpty(env.SLACK_SIGNING_SECRET);
  const apiUrl = nonEmpty(env.SLACK_API_URL);
  if (botToken) slack.botToken = botToken;
  if (appToken) slack.appToken = appToken;
  if (signingSecret) slack.signingSecret = signingSecret;
  if (apiUrl) slack.apiUrl = apiUrl;
  if (port && /^\d+$/.test(port)) slack.port = Number(port);
  const explicitConfig = overrides.config ?? nonEmpty(env.OPSBOT_CONFIG);
  return {
    configPath: explicitConfig ?? "./opsbot.yaml",
    configPathExplicit: explicitConfig !== undefined,
    dbPath: overrides.db ?? nonEmpty(env.OPSBOT_DB) ?? "./data/opsbot.db",
    logLevel: LEVELS.includes(level) ? level : "info",
    slack,
  };
}
