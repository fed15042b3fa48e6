import { createRequire } from "node:module";
import type { DestinationStream, Logger as PinoLogger } from "pino";

export type Logger = PinoLogger;

type Pino = typeof import("pino");
let pinoModule: Pino | undefined;

/** pino (~30 files) loads when a process first makes a real logger; silent ones never need it. */
function pino(): Pino {
  pinoModule ??= createRequire(import.meta.url)("pino") as Pino;
  return pinoModule;
}

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
  const { pino: create } = pino();
  return create(
    {
      level: options.level ?? "info",
      base: { app: "opsbot" },
      redact: { paths, censor: "[redacted]" },
    },
    (options.destination ?? create.destination({ fd: 2, sync: true })) as DestinationStream,
  );
}

/**
 * A logger that drops everything, for tests and one-shot commands that must stay quiet: pino's
 * interface without pino (what `pino({ level: "silent" })` does, minus loading it).
 */
export function silentLogger(): Logger {
  const drop = () => {};
  const logger = {
    level: "silent",
    fatal: drop,
    error: drop,
    warn: drop,
    info: drop,
    debug: drop,
    trace: drop,
    silent: drop,
    child: () => logger,
    bindings: () => ({}),
    setBindings: drop,
    flush: (cb?: (err?: Error) => void) => cb?.(),
    isLevelEnabled: () => false,
  };
  return logger as unknown as Logger;
}
