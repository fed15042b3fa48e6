/**
 * Who is acting: the person behind a command, a click or a run request. Roles come from the config
 * (and, in Slack, user groups) — never from message text. Every layer may name the actor, so it lives
 * at the bottom.
 */
export interface ChatUser {
  id: string;
  name: string;
  roles: string[];
}
