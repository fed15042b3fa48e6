import type { Client } from "ssh2";
import type { Clock } from "../clock.js";
import { execOnClient } from "./exec-channel.js";
import { TIMEOUT_PROBE } from "./remote-command.js";

/** A target that takes longer than this to run `timeout … true` is treated as having none. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Whether a connection's target has a usable `timeout` (remote-command.ts), asked once per
 * connection: concurrent first commands share the one probe. A probe whose channel could not open
 * rejects (the caller's retry logic handles it like its own command's) and is asked again next time.
 */
export function createTimeoutProbe(clock: Clock): (client: Client) => Promise<boolean> {
  const answers = new WeakMap<Client, Promise<boolean>>();
  return (client) => {
    let answer = answers.get(client);
    if (!answer) {
      answer = execOnClient(client, TIMEOUT_PROBE, {
        timeoutMs: PROBE_TIMEOUT_MS,
        maxOutputBytes: 1024,
        clock,
      }).then((r) => r.exitCode === 0);
      answers.set(client, answer);
      answer.catch(() => answers.delete(client));
    }
    return answer;
  };
}
