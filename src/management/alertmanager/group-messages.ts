import type { ChatPort } from "../../chat/port.js";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import type { AmGroupRepo } from "./group-repo.js";
import { renderAmGroup, replyHash } from "./render.js";
import type { SuggestionCheck } from "./runbook-annotation.js";

/**
 * Each group's one chat message, posted or updated from the stored group — after a delivery, a
 * silence, an unsilence or an ack. One refresh at a time per group, so two quick ones never post two
 * messages; an unchanged rendering is not sent again.
 */
export interface AmGroupMessages {
  refresh(groupKey: string): Promise<void>;
  /** Resolves when every refresh started so far has reached the chat port (tests, shutdown). */
  idle(): Promise<void>;
}

export function createAmGroupMessages(deps: {
  repo: AmGroupRepo;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  /** Whether Silence / Unsilence are offered (alertmanager.api is configured). */
  silences: boolean;
  /** Orchestration's word on each suggested runbook, asked at every rendering (see AmRenderOptions). */
  checkRun?: SuggestionCheck;
}): AmGroupMessages {
  const { repo, chat, logger } = deps;
  const chains = new Map<string, Promise<void>>();

  async function deliver(groupKey: string): Promise<void> {
    const g = repo.get(groupKey);
    if (!g) return;
    const r = renderAmGroup(g, {
      now: deps.clock.now(),
      silences: deps.silences,
      ...(deps.checkRun ? { checkRun: deps.checkRun } : {}),
    });
    const hash = replyHash(r);
    if (hash === g.shownHash) return; // a redelivery of what is already shown
    if (g.ts === null) {
      const ref = await chat.post(g.channel, r);
      repo.shown(groupKey, ref.ts, hash);
    } else {
      await chat.update({ channel: g.channel, ts: g.ts }, r);
      repo.shown(groupKey, g.ts, hash);
    }
  }

  return {
    refresh(groupKey) {
      const next = (chains.get(groupKey) ?? Promise.resolve())
        .then(() => deliver(groupKey))
        .catch((err: unknown) =>
          logger.warn({ err, groupKey }, "Alertmanager group message not delivered; the next change retries"),
        );
      chains.set(groupKey, next);
      void next.finally(() => {
        if (chains.get(groupKey) === next) chains.delete(groupKey);
      });
      return next;
    },
    async idle() {
      while (chains.size > 0) await Promise.allSettled([...chains.values()]);
    },
  };
}
