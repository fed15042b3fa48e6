import { pino } from "pino";

export type Logger = pino.Logger;

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const SECRET_KEYS = [
  "token",
  "password",
  "passphrase",
  "secret",
  "community",
  "auth_key",
  "priv_key",
  "authorization",
  "signing_secret",
  "botToken",
  "appToken",
  "signingSecret",
];

export interface LoggerOptions {
  level?: string;
  /** Write to this stream instead of stderr (tests). */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured JSON logs on stderr (stdout belongs to the console chat and `--json` output).
 * Secret-named keys are censored at any depth up to three levels.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const paths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  return pino(
    {
      level: options.level ?? "info",
      base: { app: "opsbot" },
      redact: { paths, censor: "[redacted]" },
    },
    (options.destination ?? pino.destination({ fd: 2, sync: true })) as pino.DestinationStream,
  );
}

/** A logger that drops everything, for tests and one-shot commands that must stay quiet. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
