/**
 * The emulated workspace: who exists, which conversations there are, and everything the bot posted.
 * Plain data so tests can seed it and assert on it.
 */
export interface EmulatedUser {
  id: string;
  name: string;
  realName: string;
  isBot?: boolean;
}

export interface EmulatedChannel {
  id: string;
  name: string;
  kind: "channel" | "private" | "im";
  /** For an im: the other member. */
  user?: string;
}

export interface PostedMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  threadTs?: string;
  /** Set for ephemeral messages: the only user who sees it. */
  visibleTo?: string;
  /** How it got there: chat.postMessage, chat.postEphemeral, response_url, … */
  via: string;
  /** How many times chat.update replaced it. */
  updates: number;
  postedAt: number;
}

export interface UploadedFile {
  id: string;
  filename: string;
  title?: string;
  content: string;
  /** The uploaded bytes as sent (binary files such as PNG charts). */
  bytes?: Buffer;
  /** The length announced to files.getUploadURLExternal. */
  length?: number;
  channel?: string;
  threadTs?: string;
  completed: boolean;
}

export interface WorkspaceSeed {
  users?: EmulatedUser[];
  usergroups?: Record<string, string[]>;
  channels?: EmulatedChannel[];
}

export const TEAM_ID = "T0EMULATE";
export const TEAM_DOMAIN = "opsbot-emulator";
export const BOT_USER_ID = "U0OPSBOT1";
export const BOT_ID = "B0OPSBOT1";
export const APP_ID = "A0OPSBOT1";

export const DEFAULT_USERS: EmulatedUser[] = [
  { id: BOT_USER_ID, name: "opsbot", realName: "opsbot", isBot: true },
  { id: "U0ALICE01", name: "alice", realName: "Alice Admin" },
  { id: "U0BOB0001", name: "bob", realName: "Bob Operator" },
  { id: "U0CAROL01", name: "carol", realName: "Carol Viewer" },
];

export const DEFAULT_CHANNELS: EmulatedChannel[] = [
  { id: "C0OPS0001", name: "ops", kind: "channel" },
  { id: "C0ALERTS1", name: "alerts", kind: "channel" },
  { id: "D0ALICE01", name: "alice", kind: "im", user: "U0ALICE01" },
];

export class Workspace {
  readonly users = new Map<string, EmulatedUser>();
  readonly usergroups = new Map<string, string[]>();
  readonly channels = new Map<string, EmulatedChannel>();
  readonly messages: PostedMessage[] = [];
  readonly files = new Map<string, UploadedFile>();
  private tsCounter = 0;
  private idCounter = 0;

  constructor(seed: WorkspaceSeed = {}) {
    for (const u of seed.users ?? DEFAULT_USERS) this.users.set(u.id, u);
    for (const [id, members] of Object.entries(seed.usergroups ?? {})) this.usergroups.set(id, members);
    for (const c of seed.channels ?? DEFAULT_CHANNELS) this.channels.set(c.id, c);
  }

  /** Slack message timestamps: seconds with a six-digit suffix, unique and increasing per workspace. */
  nextTs(now: number): string {
    this.tsCounter += 1;
    const seconds = Math.floor(now / 1000);
    return `${seconds}.${String(this.tsCounter % 1_000_000).padStart(6, "0")}`;
  }

  nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}${String(this.idCounter).padStart(8, "0")}`;
  }

  /** Accepts a channel id, or `#name`/`name` as chat.postMessage does. */
  resolveChannel(ref: string): EmulatedChannel | undefined {
    const byId = this.channels.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^#/, "");
    for (const c of this.channels.values()) if (c.name === name && c.kind !== "im") return c;
    return undefined;
  }

  openIm(userId: string): EmulatedChannel | undefined {
    if (!this.users.has(userId)) return undefined;
    for (const c of this.channels.values()) if (c.kind === "im" && c.user === userId) return c;
    const im: EmulatedChannel = { id: `D${userId.slice(1)}`, name: userId, kind: "im", user: userId };
    this.channels.set(im.id, im);
    return im;
  }

  /** Messages visible in a channel (optionally one thread), oldest first. */
  channelMessages(
    channel: string,
    options: { threadTs?: string; includeEphemeral?: boolean } = {},
  ): PostedMessage[] {
    return this.messages.filter(
      (m) =>
        m.channel === channel &&
        (options.includeEphemeral || m.visibleTo === undefined) &&
        (options.threadTs === undefined || m.threadTs === options.threadTs),
    );
  }
}
