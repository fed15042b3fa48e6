import type { Config } from "../../config/schema.js";
import type { ChatUser } from "../../lib/actor.js";
import type { Clock } from "../../lib/clock.js";
import type { Logger } from "../../lib/logger.js";
import { rolesFor } from "../permissions.js";
import type { SlackResult } from "./slack-api.js";

/**
 * Who a Slack user is to opsbot: the user id from the payload (never from message text) mapped to roles
 * through the config. Role members may be user ids (`U…`, `W…` on Enterprise Grid) or user-group ids
 * (`S…`), resolved with usergroups.users.list. Groups and names are cached in memory with a TTL: they
 * are cheap to refetch and a restart simply refetches them, so they need no table. A failed group
 * lookup keeps the last known members (or none), so an outage can never grant a role.
 */
export interface SlackIdentity {
  resolve(userId: string, hintName?: string): Promise<ChatUser>;
  /** Members of a Slack user group (`S…`); undefined when it cannot be resolved (and was never known). */
  groupMembers(groupId: string): Promise<string[] | undefined>;
  /** A channel's name (without #), for channel scopes; undefined when Slack will not say. */
  channelName(channelId: string): Promise<string | undefined>;
}

export interface SlackIdentityOptions {
  /** opsbot.yaml: `roles` maps role names to members. */
  config: Pick<Config, "roles">;
  /** A Web API read (through the outbox). */
  call(method: string, args: Record<string, unknown>): Promise<SlackResult>;
  clock: Clock;
  logger?: Logger;
  groupTtlMs?: number;
  nameTtlMs?: number;
  /** Most names cached; the oldest are forgotten first. */
  maxNames?: number;
}

interface Cached<T> {
  value: T;
  fetchedAt: number;
}

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const GROUP_ID = /^S[A-Z0-9]{2,}$/;

export function createSlackIdentity(options: SlackIdentityOptions): SlackIdentity {
  const groupTtl = options.groupTtlMs ?? 5 * 60_000;
  const nameTtl = options.nameTtlMs ?? 60 * 60_000;
  const maxNames = options.maxNames ?? 10_000;
  const groups = new Map<string, Cached<Set<string>>>();
  const groupFetches = new Map<string, Promise<Set<string> | undefined>>();
  const channelNames = new Map<string, Cached<string>>();
  const names = new Map<string, Cached<string>>();

  async function groupMembers(groupId: string): Promise<Set<string> | undefined> {
    const cached = groups.get(groupId);
    const now = options.clock.now();
    if (cached && now - cached.fetchedAt < groupTtl) return cached.value;
    // One fetch per group at a time, however many users ask at once.
    let fetching = groupFetches.get(groupId);
    if (!fetching) {
      fetching = options
        .call("usergroups.users.list", { usergroup: groupId })
        .then((r) => {
          const members = new Set(Array.isArray(r.users) ? (r.users as string[]) : []);
          groups.set(groupId, { value: members, fetchedAt: options.clock.now() });
          return members;
        })
        .catch((err: unknown) => {
          options.logger?.warn(
            { group: groupId, err: String(err) },
            "cannot resolve Slack user group; using last known members",
          );
          return cached?.value;
        })
        .finally(() => groupFetches.delete(groupId));
      groupFetches.set(groupId, fetching);
    }
    return fetching;
  }

  async function displayName(userId: string, hint: string | undefined): Promise<string> {
    const cached = names.get(userId);
    if (cached && options.clock.now() - cached.fetchedAt < nameTtl) return cached.value;
    try {
      const r = await options.call("users.info", { user: userId });
      const user = (r.user ?? {}) as { name?: string; profile?: { display_name?: string } };
      const name = user.profile?.display_name || user.name || hint || userId;
      names.delete(userId);
      names.set(userId, { value: name, fetchedAt: options.clock.now() });
      if (names.size > maxNames) names.delete(names.keys().next().value!);
      return name;
    } catch (err) {
      options.logger?.warn({ user: userId, err: String(err) }, "cannot look up Slack user name");
      return cached?.value ?? hint ?? userId;
    }
  }

  async function rolesOf(userId: string): Promise<string[]> {
    const referenced = [...new Set(Object.values(options.config.roles).flat())].filter((m) =>
      GROUP_ID.test(m),
    );
    const groupsOfUser: string[] = [];
    for (const g of referenced) if ((await groupMembers(g))?.has(userId)) groupsOfUser.push(g);
    // Matched by id and groups only: a Slack display name is chosen by its owner, so it must never
    // match a console user name listed in a role.
    return rolesFor(options.config as Config, { id: userId, name: userId, groups: groupsOfUser });
  }

  return {
    async groupMembers(groupId) {
      if (!GROUP_ID.test(groupId)) return undefined;
      const members = await groupMembers(groupId);
      return members ? [...members] : undefined;
    },
    async channelName(channelId) {
      const cached = channelNames.get(channelId);
      if (cached && options.clock.now() - cached.fetchedAt < nameTtl) return cached.value;
      try {
        const r = await options.call("conversations.info", { channel: channelId });
        const name = (r.channel as { name?: string } | undefined)?.name;
        if (name === undefined) return cached?.value;
        channelNames.set(channelId, { value: name, fetchedAt: options.clock.now() });
        if (channelNames.size > maxNames) channelNames.delete(channelNames.keys().next().value!);
        return name;
      } catch (err) {
        options.logger?.warn({ channel: channelId, err: String(err) }, "cannot look up Slack channel name");
        return cached?.value;
      }
    },
    async resolve(userId, hintName) {
      if (!USER_ID.test(userId)) return { id: userId, name: hintName ?? userId, roles: [] };
      const [name, roles] = await Promise.all([displayName(userId, hintName), rolesOf(userId)]);
      return { id: userId, name, roles };
    },
  };
}
