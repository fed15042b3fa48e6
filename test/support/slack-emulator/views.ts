import { jsonArg, METHODS } from "./web-api.js";
import { TEAM_ID, type Workspace } from "./workspace.js";

/**
 * Modals for the emulator: `views.open` (checked like Slack does: a trigger id and a modal with a
 * callback id and at most 100 blocks) and the `view_submission` payload a person's "Submit" sends.
 * Kept apart from web-api.ts; importing this module registers the method.
 */
export interface OpenedView {
  id: string;
  triggerId: string;
  view: {
    type?: string;
    callback_id?: string;
    private_metadata?: string;
    title?: { text?: string };
    blocks?: {
      type: string;
      block_id?: string;
      element?: { type?: string; options?: { value: string }[] };
    }[];
  };
}

const opened = new WeakMap<Workspace, OpenedView[]>();

export function openedViews(workspace: Workspace): OpenedView[] {
  let list = opened.get(workspace);
  if (!list) {
    list = [];
    opened.set(workspace, list);
  }
  return list;
}

METHODS["views.open"] = ({ workspace, args }) => {
  const view = jsonArg(args.view) as OpenedView["view"] | undefined;
  if (typeof args.trigger_id !== "string" || args.trigger_id === "")
    return { ok: false, error: "invalid_trigger_id" };
  if (view?.type !== "modal" || !view.callback_id) return { ok: false, error: "invalid_arguments" };
  if ((view.blocks ?? []).length > 100) return { ok: false, error: "invalid_blocks" };
  const id = workspace.nextId("V");
  openedViews(workspace).push({ id, triggerId: args.trigger_id, view });
  return { ok: true, view: { id, ...view } };
};

/** What Slack sends when `user` submits `view` with these values (block_id → value). */
export function viewSubmission(o: {
  user: string;
  view: OpenedView;
  values: Record<string, string>;
}): Record<string, unknown> {
  const state: Record<string, Record<string, unknown>> = {};
  for (const [block, value] of Object.entries(o.values)) {
    const kind = o.view.view.blocks?.find((b) => b.block_id === block)?.element?.type;
    state[block] = {
      value:
        kind === "static_select"
          ? { type: "static_select", selected_option: { text: { type: "plain_text", text: value }, value } }
          : { type: "plain_text_input", value },
    };
  }
  return {
    type: "view_submission",
    team: { id: TEAM_ID, domain: "opsbot-emulator" },
    user: { id: o.user, username: o.user, name: o.user, team_id: TEAM_ID },
    api_app_id: "A0OPSBOT1",
    token: "verification-token-unused",
    trigger_id: `${Date.now()}.738474920.view`,
    view: {
      id: o.view.id,
      team_id: TEAM_ID,
      type: "modal",
      callback_id: o.view.view.callback_id,
      private_metadata: o.view.view.private_metadata ?? "",
      hash: `${Date.now()}.abc`,
      state: { values: state },
    },
    response_urls: [],
    is_enterprise_install: false,
  };
}

/** Home tabs published with `views.publish`, newest last per user. */
const homes = new WeakMap<Workspace, Map<string, OpenedView["view"][]>>();

export function publishedHomes(workspace: Workspace): Map<string, OpenedView["view"][]> {
  let map = homes.get(workspace);
  if (!map) {
    map = new Map();
    homes.set(workspace, map);
  }
  return map;
}

METHODS["views.publish"] = ({ workspace, args }) => {
  const user = typeof args.user_id === "string" ? args.user_id : "";
  if (!workspace.users.has(user)) return { ok: false, error: "user_not_found" };
  const view = jsonArg(args.view) as OpenedView["view"] | undefined;
  if (view?.type !== "home") return { ok: false, error: "invalid_arguments" };
  if ((view.blocks ?? []).length > 100) return { ok: false, error: "invalid_blocks" };
  const list = publishedHomes(workspace).get(user) ?? [];
  list.push(view);
  publishedHomes(workspace).set(user, list);
  return { ok: true, view: { id: workspace.nextId("V"), ...view } };
};

/** What Slack sends when `user` opens the app's Home tab. */
export function appHomeOpened(user: string): Record<string, unknown> {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Date.now() % 1000).padStart(6, "0")}`;
  return {
    token: "verification-token-unused",
    team_id: TEAM_ID,
    api_app_id: "A0OPSBOT1",
    event: { type: "app_home_opened", user, channel: `D${user.slice(1)}`, tab: "home", event_ts: ts },
    type: "event_callback",
    event_id: `Ev${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    event_time: Math.floor(Date.now() / 1000),
  };
}
