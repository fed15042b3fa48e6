import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/** The manifest must grant what the code uses, or a fresh install fails in confusing ways. */
describe("slack-app-manifest.yaml", () => {
  const manifest = parse(readFileSync(new URL("../../slack-app-manifest.yaml", import.meta.url), "utf8"));

  it("grants a scope for every Web API method and event opsbot uses", () => {
    const scopes: string[] = manifest.oauth_config.scopes.bot;
    const needed: Record<string, string> = {
      "/ops": "commands",
      app_mention: "app_mentions:read",
      "message.im": "im:history",
      "chat.postMessage": "chat:write",
      "chat.update": "chat:write",
      "chat.postEphemeral": "chat:write",
      "users.info": "users:read",
      "usergroups.users.list": "usergroups:read",
      "conversations.open": "im:write",
      "files.getUploadURLExternal": "files:write",
      "files.completeUploadExternal": "files:write",
    };
    for (const [use, scope] of Object.entries(needed))
      expect(scopes, `${use} needs ${scope}`).toContain(scope);
  });

  it("enables the slash command, the events, interactivity and Socket Mode", () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(["/ops"]);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual([
      "app_mention",
      "message.im",
      "app_home_opened",
    ]);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_read_only_enabled).toBe(false);
  });
});
