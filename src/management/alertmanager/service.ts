import type { ChatUser } from "../../lib/actor.js";
import { type Clock, formatDuration, parseDuration } from "../../lib/clock.js";
import { ConflictError, NotFoundError, OpsbotError, UsageError } from "../../lib/errors.js";
import type { Logger } from "../../lib/logger.js";
import { formatDateTime } from "../../lib/time-format.js";
import { type AlertmanagerApi, type AmListedSilence, equalityMatchers } from "./am-api.js";
import type { AmGroupMessages } from "./group-messages.js";
import { type AmGroup, type AmGroupRepo, type AmSilence, silenceHolds } from "./group-repo.js";
import { parseRunbookAnnotation, RUNBOOK_ANNOTATION } from "./runbook-annotation.js";
import { type AmSilenceListing, listAmSilences } from "./silence-list.js";
import { pickSilence } from "./silence-pick.js";
import type { AmFiring } from "./summary.js";

/**
 * What people do to an Alertmanager group from chat (buttons, or `silence am:ID` / `unsilence am:ID` /
 * `ack am:ID`). A silence is real: it is created in Alertmanager (API v2) first and recorded only once
 * Alertmanager accepted it; an Alertmanager that is down or refuses leaves nothing recorded. The
 * group's message is re-rendered after every change.
 */
export interface AlertmanagerService {
  silence(input: {
    groupId: number;
    duration: string;
    user: ChatUser;
    reason?: string;
    force?: boolean;
  }): Promise<{ group: AmGroup; silence: AmSilence }>;
  unsilence(groupId: number, user: ChatUser): Promise<{ group: AmGroup; silenceId: string; ended: boolean }>;
  /**
   * Ends any active or pending Alertmanager silence — made by opsbot or outside it — by its id or an
   * unambiguous prefix of it. One opsbot made for a group goes the group's way (its message updated).
   */
  unsilenceById(
    idOrPrefix: string,
    user: ChatUser,
  ): Promise<{ silence: AmListedSilence; group: AmGroup | null }>;
  /** Idempotent: a second ack answers who acked first. */
  ack(groupId: number, user: ChatUser): Promise<{ group: AmGroup; already: boolean }>;
  /** The `run` an alert of the group suggests (its opsbot_runbook annotation), or an error saying why not. */
  suggestedRun(groupId: number, fingerprint: string): { runbook: string; params: Record<string, string> };
  /** Alertmanager's active silences (from opsbot or not), or null when Alertmanager is not set up. */
  silences(): Promise<AmSilenceListing | null>;
  /** Firing groups from opsbot's records (no call to Alertmanager), or null when Alertmanager is not set up. */
  firing(limit: number): AmFiring | null;
}

export interface AlertmanagerServiceDeps {
  repo: AmGroupRepo;
  messages: AmGroupMessages;
  /** Absent when `alertmanager.api` is not configured. */
  api: AlertmanagerApi | undefined;
  clock: Clock;
  logger: Logger;
  /** alerts.max_silence: longer only with force. */
  maxSilence: string;
}

/** An Alertmanager failure, said with what it means: opsbot recorded nothing. */
async function unchanged<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof OpsbotError)) throw err;
    throw new OpsbotError(err.code, `${err.message}. ${what}; try again once it answers.`, {
      details: err.details,
      cause: err,
    });
  }
}

export function createAlertmanagerService(deps: AlertmanagerServiceDeps): AlertmanagerService {
  const { repo, messages, clock, logger } = deps;
  const creating = new Set<number>();

  const group = (id: number): AmGroup => {
    const g = repo.byId(id);
    if (!g) throw new NotFoundError(`No Alertmanager group am:${id}.`);
    return g;
  };
  const api = (): AlertmanagerApi => {
    if (!deps.api)
      throw new OpsbotError(
        "UNAVAILABLE",
        "Alertmanager silences are not set up: alertmanager.api (url and credentials) is missing from opsbot.yaml. Ask an admin.",
      );
    return deps.api;
  };
  const refreshed = async (g: AmGroup): Promise<AmGroup> => {
    await messages.refresh(g.groupKey);
    return repo.byId(g.id) ?? g;
  };

  async function unsilenceGroup(
    groupId: number,
    user: ChatUser,
  ): Promise<{ group: AmGroup; silenceId: string; ended: boolean }> {
    const g = group(groupId);
    const s = g.silence;
    if (!s) throw new ConflictError(`am:${groupId} has no silence from opsbot.`);
    const ended = !silenceHolds(s, clock.now());
    const client = api();
    if (!ended) await unchanged("The silence still holds", () => client.expireSilence(s.id));
    repo.unsilenced(groupId, s.id);
    logger.info({ group: g.groupKey, silenceId: s.id, user: user.id }, "Alertmanager silence expired");
    return { group: await refreshed(g), silenceId: s.id, ended };
  }

  return {
    async silence({ groupId, duration, user, reason, force }) {
      const ms = parseDuration(duration);
      if (ms === undefined || ms <= 0)
        throw new UsageError(`"${duration}" is not a duration; use e.g. 30m, 2h or 1d.`);
      const max = parseDuration(deps.maxSilence) ?? 7 * 86_400_000;
      if (ms > max && !force)
        throw new UsageError(
          `A silence of ${formatDuration(ms)} is longer than alerts.max_silence (${deps.maxSilence}): a forgotten silence hides real alerts.`,
          ["Add `--force` if you mean it, or pick a shorter duration."],
        );
      const client = api();
      let g = group(groupId);
      const now = clock.now();
      if (g.silence && silenceHolds(g.silence, now))
        throw new ConflictError(
          `am:${groupId} is already silenced by ${g.silence.by.name} until ${formatDateTime(g.silence.until)} (Alertmanager silence ${g.silence.id}). Unsilence it first to change it.`,
        );
      if (g.status !== "firing") throw new ConflictError(`am:${groupId} has resolved; nothing to silence.`);
      // The group's own labels name exactly this group; without them, the labels all its alerts share.
      const labels = Object.keys(g.groupLabels).length > 0 ? g.groupLabels : g.labels;
      const matchers = equalityMatchers(labels);
      if (matchers.length === 0)
        throw new ConflictError(
          `am:${groupId} has no labels to match: a silence would hide every alert. Silence it in Alertmanager itself.`,
        );
      if (creating.has(groupId))
        throw new ConflictError(`A silence for am:${groupId} is being created right now.`);
      creating.add(groupId);
      try {
        if (g.silence) repo.unsilenced(groupId, g.silence.id); // one that ended: forget it
        const name = labels.alertname ?? g.labels.alertname ?? "alerts";
        const id = await unchanged("Nothing was silenced", () =>
          client.createSilence({
            matchers,
            startsAt: new Date(now),
            endsAt: new Date(now + ms),
            createdBy: `${user.name} (Slack ${user.id})`,
            comment: `opsbot: ${name} (group am:${groupId}) silenced from chat for ${formatDuration(ms)}${reason ? `: ${reason}` : ""}`,
          }),
        );
        const silence: AmSilence = {
          id,
          by: { id: user.id, name: user.name },
          at: now,
          until: now + ms,
          ended: null,
        };
        let recorded = false;
        try {
          recorded = repo.silenced(groupId, silence);
        } finally {
          // Never leave a silence in Alertmanager that opsbot does not know about.
          if (!recorded)
            await client
              .expireSilence(id)
              .catch((err: unknown) =>
                logger.error({ err, silenceId: id }, "could not expire a silence opsbot failed to record"),
              );
        }
        if (!recorded) throw new ConflictError(`am:${groupId} was silenced by someone else meanwhile.`);
        logger.info(
          { group: g.groupKey, silenceId: id, user: user.id, until: silence.until },
          "Alertmanager silence created",
        );
        g = await refreshed(g);
        return { group: g, silence };
      } finally {
        creating.delete(groupId);
      }
    },

    unsilence: unsilenceGroup,

    async unsilenceById(idOrPrefix, user) {
      const client = api();
      const listed = await unchanged("Nothing was ended", () => client.listSilences());
      const now = clock.now();
      const x = pickSilence(listed, idOrPrefix, now);
      // Alertmanager's word decides (a silence extended there may be past the end opsbot recorded).
      await unchanged("The silence still holds", () => client.expireSilence(x.id));
      const owner = repo.openSilences().find((g) => g.silence?.id === x.id);
      if (owner) return { silence: x, group: (await unsilenceGroup(owner.id, user)).group };
      logger.info(
        { silenceId: x.id, createdBy: x.createdBy, user: user.id },
        "Alertmanager silence made outside opsbot expired from chat",
      );
      return { silence: x, group: null };
    },

    async ack(groupId, user) {
      const g = group(groupId);
      if (g.ack) return { group: g, already: true };
      if (g.status !== "firing") throw new ConflictError(`am:${groupId} has resolved; nothing to ack.`);
      const won = repo.acked(groupId, { id: user.id, name: user.name }, clock.now());
      if (!won) return { group: group(groupId), already: true };
      return { group: await refreshed(g), already: false };
    },

    suggestedRun(groupId, fingerprint) {
      const g = group(groupId);
      const alert = Object.hasOwn(g.alerts, fingerprint) ? g.alerts[fingerprint] : undefined;
      if (alert?.status !== "firing")
        throw new ConflictError(`That alert of am:${groupId} is no longer firing; nothing to run for it.`);
      const text = alert.annotations[RUNBOOK_ANNOTATION];
      if (text === undefined) throw new NotFoundError(`That alert no longer suggests a runbook.`);
      const parsed = parseRunbookAnnotation(text);
      if (!parsed.ok)
        throw new UsageError(`Its ${RUNBOOK_ANNOTATION} annotation is malformed: ${parsed.problem}.`);
      return { runbook: parsed.runbook, params: parsed.params };
    },

    silences: () => listAmSilences(repo, deps.api, clock.now()),
    firing: (limit) => repo.firing(limit),
  };
}

/** For a config without `alertmanager:`: every use says so. */
export function noAlertmanager(): AlertmanagerService {
  const missing = (): never => {
    throw new OpsbotError(
      "UNAVAILABLE",
      "Alertmanager is not set up in this opsbot (no alertmanager: section in opsbot.yaml).",
    );
  };
  return {
    silence: async () => missing(),
    unsilence: async () => missing(),
    unsilenceById: async () => missing(),
    ack: async () => missing(),
    suggestedRun: () => missing(),
    silences: async () => null,
    firing: () => null,
  };
}
