/**
 * Where a command, click or request happens, and whether a channel scope allows it. A scope is a list
 * of logical channel names from the config's `channels:` map (plus `dm` for direct messages with
 * opsbot); an absent scope allows everywhere. Pure: the transport says where, the config says what the
 * names mean.
 */
export interface ChannelRef {
  /** Transport channel id (Slack `C…`/`D…`, the console's channel name). */
  id: string;
  /** Human name without `#`, when the transport knows it. */
  name?: string;
  /** A direct message with opsbot. */
  direct?: boolean;
}

/** The scope entry that stands for every direct message with opsbot. */
export const DIRECT_MESSAGES = "dm";

/** Does the logical channel `logical` (mapped through `channels`) name the place `where`? */
export function channelIs(logical: string, where: ChannelRef, channels: Record<string, string>): boolean {
  if (logical === DIRECT_MESSAGES) return where.direct === true;
  const target = channels[logical];
  if (target === undefined) return false;
  const bare = target.replace(/^#/, "").toLowerCase();
  if (target === where.id || bare === where.id.replace(/^#/, "").toLowerCase()) return true;
  return where.name !== undefined && bare === where.name.replace(/^#/, "").toLowerCase();
}

export function inScope(
  scope: readonly string[] | undefined,
  where: ChannelRef,
  channels: Record<string, string>,
): boolean {
  if (scope === undefined) return true;
  return scope.some((logical) => channelIs(logical, where, channels));
}

/** "#ops-prod, direct messages" — how a refusal names the places where something is allowed. */
export function describeScope(scope: readonly string[], channels: Record<string, string>): string {
  if (scope.length === 0) return "no channel";
  return scope
    .map((logical) => {
      if (logical === DIRECT_MESSAGES) return "direct messages";
      const target = channels[logical];
      return target?.startsWith("#") ? target : `#${logical}`;
    })
    .join(", ");
}
