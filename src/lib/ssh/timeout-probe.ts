import type { Client } from "ssh2";
import type { Clock } from "../clock.js";
import { execOnClient } from "./exec-channel.js";
import { probeAnswer, REMOTE_PROBE, type RemoteDeadline } from "./remote-command.js";

/** A target that takes longer than this to answer the probe is treated as having no remote deadline. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * How a connection's target keeps a remote deadline (remote-command.ts), asked once per connection:
 * concurrent first commands share the one probe. A probe whose channel could not open rejects (the
 * caller's retry logic handles it like its own command's) and is asked again next time.
 */
export function createTimeoutProbe(clock: Clock): (client: Client) => Promise<RemoteDeadline> {
  const answers = new WeakMap<Client, Promise<RemoteDeadline>>();
  return (client) => {
    let answer = answers.get(client);
    if (!answer) {
      answer = execOnClient(client, REMOTE_PROBE, {
        timeoutMs: PROBE_TIMEOUT_MS,
        maxOutputBytes: 1024,
        clock,
      }).then((r) => probeAnswer(r.exitCode));
      answers.set(client, answer);
      answer.catch(() => answers.delete(client));
    }
    return answer;
  };
}
