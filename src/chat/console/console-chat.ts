import { createInterface, type Interface } from "node:readline";
import type { Config } from "../../config/schema.js";
import type { ChatUser } from "../../lib/actor.js";
import { rolesFor } from "../permissions.js";
import type { ChatPort, MessageRef } from "../port.js";
import type { Button, Reply } from "../reply.js";
import type { Router } from "../router.js";
import { buttonsOf, renderText } from "./render.js";

interface PendingButton {
  button: Button;
  message: MessageRef;
}

/**
 * The console adapter: a terminal chat where `as <user>` switches identity and buttons are numbered
 * choices. It is also a ChatPort, so alerts and run progress print here when there is no Slack.
 */
export class ConsoleChat implements ChatPort {
  private router: Router | undefined;
  private user: ChatUser;
  private seq = 0;
  private readonly buttons = new Map<number, PendingButton>();
  private nextButton = 1;
  private readonly lastRendered = new Map<string, string>();
  private input: ReturnType<typeof createInterface> | undefined;
  /** Button numbers by message and button: an updated message keeps its numbers. */
  private readonly buttonNumbers = new Map<string, number>();
  /** The prompt while it waits for a line: messages arriving then are printed above it. */
  private prompt: { rl: Interface; output: NodeJS.WritableStream } | undefined;
  private columns: number | undefined;
  /** The rest of the last long code block (a run log, a diff), shown a page at a time by `more`. */
  private pager: { lines: string[]; shown: number } | undefined;

  constructor(
    private readonly options: {
      config: Config;
      userName: string;
      channel: string;
      write: (text: string) => void;
      color?: boolean;
      /** Lines of a code block shown at once; `more` shows the next page. Default 40. */
      pageLines?: number;
      /** Terminal width tables are fitted to. Default: the interactive terminal's, else no limit. */
      width?: number;
    },
  ) {
    this.user = this.identify(options.userName);
  }

  attach(router: Router): void {
    this.router = router;
  }

  get currentUser(): ChatUser {
    return this.user;
  }

  identify(name: string): ChatUser {
    return { id: name, name, roles: rolesFor(this.options.config, { id: name, name }) };
  }

  /** Handles one typed line. Returns false when the line was a user error (for one-shot exit codes). */
  async handleLine(line: string): Promise<boolean> {
    const router = this.requireRouter();
    const trimmed = line.trim();
    if (trimmed === "") return true;
    const as = /^as\s+(\S+)(?:\s+(.*))?$/i.exec(trimmed);
    if (as) {
      const next = this.identify(as[1]!);
      if (as[2] === undefined) {
        this.user = next;
        this.print(
          `You are now ${next.name}${next.roles.length > 0 ? ` (${next.roles.join(", ")})` : " (no roles)"}.`,
        );
        return true;
      }
      return this.runAs(next, as[2]);
    }
    if (/^more$/i.test(trimmed) && this.pager) {
      this.print(this.nextPage());
      return true;
    }
    const choice = /^#?(\d+)$/.exec(trimmed);
    if (choice && this.buttons.has(Number(choice[1]))) {
      const pending = this.buttons.get(Number(choice[1]))!;
      const result = await router.dispatchAction(pending.button.actionId, pending.button.value, {
        user: this.user,
        channel: pending.message.channel,
        transport: "console",
        message: pending.message,
      });
      if (result.reply.blocks.length > 0) this.show(result.reply, pending.message.channel);
      return result.outcome === "ok";
    }
    return this.runAs(this.user, trimmed);
  }

  private async runAs(user: ChatUser, text: string): Promise<boolean> {
    const result = await this.requireRouter().handle(text, {
      user,
      channel: this.options.channel,
      transport: "console",
    });
    this.show(result.reply, this.options.channel);
    return result.outcome === "ok";
  }

  /** Interactive loop until EOF or `quit`. Reads piped stdin line by line as well. */
  async runInteractive(
    input: NodeJS.ReadableStream,
    output: NodeJS.WritableStream,
    prompt = true,
  ): Promise<void> {
    const rl = createInterface({ input, output, terminal: prompt });
    this.input = rl;
    const tty = output as NodeJS.WritableStream & {
      columns?: number;
      on?: (e: string, f: () => void) => void;
    };
    this.columns = prompt ? tty.columns : undefined;
    const setPrompt = () => rl.setPrompt(`${this.user.name}> `);
    const waitForLine = () => {
      setPrompt();
      if (!prompt) return;
      this.columns = tty.columns;
      this.prompt = { rl, output };
      rl.prompt();
    };
    waitForLine();
    try {
      for await (const line of rl) {
        this.prompt = undefined;
        if (/^(quit|exit)$/i.test(line.trim())) break;
        if (!prompt && line.trim() !== "") this.print(`${this.user.name}> ${line.trim()}`);
        await this.handleLine(line);
        waitForLine();
      }
    } finally {
      this.prompt = undefined;
      rl.close();
      this.input = undefined;
    }
  }

  /** Ends runInteractive after the line being handled (a stop requested by a signal). */
  stopInteractive(): void {
    this.input?.close();
  }

  show(reply: Reply, channel: string, label?: string): MessageRef {
    const ref = { channel, ts: String(++this.seq) };
    this.print(this.render(reply, ref, label));
    return ref;
  }

  private render(reply: Reply, ref: MessageRef, label?: string): string {
    reply = this.paged(reply);
    // The same button of the same message keeps its number when the message is re-rendered.
    const numbers = buttonsOf(reply).map((button) => {
      const key = `${ref.channel}/${ref.ts}|${button.actionId}|${button.value}|${button.label}`;
      let n = this.buttonNumbers.get(key);
      if (n === undefined) {
        n = this.nextButton++;
        this.buttonNumbers.set(key, n);
      }
      this.buttons.set(n, { button, message: ref });
      return n;
    });
    const width = this.options.width ?? this.columns;
    const body = renderText(reply, {
      buttonNumbers: numbers,
      color: this.options.color ?? false,
      ...(width ? { width } : {}),
    });
    const choices = numbers.length > 0 ? "\n(type the number of a choice to click it)" : "";
    return `${label ? `${label}\n` : ""}${body}${choices}`;
  }

  /** A code block longer than a page shows its first page; the rest waits for `more`. */
  private paged(reply: Reply): Reply {
    const size = this.options.pageLines ?? 40;
    let changed = false;
    const blocks = reply.blocks.map((b) => {
      if (b.type !== "code") return b;
      const lines = b.text.split("\n");
      if (lines.length <= size) return b;
      changed = true;
      this.pager = { lines, shown: size };
      return { ...b, text: `${lines.slice(0, size).join("\n")}\n${this.pagerHint()}` };
    });
    return changed ? { ...reply, blocks } : reply;
  }

  private nextPage(): string {
    const p = this.pager!;
    const size = this.options.pageLines ?? 40;
    const page = p.lines.slice(p.shown, p.shown + size);
    p.shown += page.length;
    const hint = this.pagerHint();
    if (p.shown >= p.lines.length) this.pager = undefined;
    return page.map((l) => `    ${l}`).join("\n") + (hint ? `\n    ${hint}` : "");
  }

  private pagerHint(): string {
    const p = this.pager!;
    const left = p.lines.length - p.shown;
    return left > 0
      ? `… ${p.shown} of ${p.lines.length} lines shown; type \`more\` for the next page`
      : `(end: ${p.lines.length} lines)`;
  }

  private print(text: string): void {
    this.options.write(`${text}\n`);
  }

  /**
   * A message opsbot sends on its own (alert, run progress): while the prompt waits for a line it is
   * printed above the prompt, which is then redrawn with whatever was typed so far.
   */
  private printAsync(text: string): void {
    const p = this.prompt;
    if (p) p.output.write("\r\x1b[2K");
    this.print(text);
    p?.rl.prompt(true);
  }

  private requireRouter(): Router {
    if (!this.router) throw new Error("ConsoleChat used before attach(router)");
    return this.router;
  }

  // ChatPort: messages opsbot sends on its own (alerts, run progress).
  async post(channel: string, reply: Reply, options: { threadTs?: string } = {}): Promise<MessageRef> {
    const ref = { channel, ts: String(++this.seq) };
    const where = options.threadTs ? `${channel} (thread ${options.threadTs})` : channel;
    this.lastRendered.set(`${channel}/${ref.ts}`, renderText(reply));
    this.printAsync(this.render(reply, ref, `── message ${ref.ts} in ${where}`));
    return ref;
  }

  /** Printed again only when what it shows changed (the same text the post or last update showed). */
  async update(ref: MessageRef, reply: Reply): Promise<void> {
    const body = renderText(reply);
    const key = `${ref.channel}/${ref.ts}`;
    if (this.lastRendered.get(key) === body) return;
    this.lastRendered.set(key, body);
    this.printAsync(this.render(reply, ref, `── message ${ref.ts} in ${ref.channel} (updated)`));
  }

  async postEphemeral(channel: string, userId: string, reply: Reply): Promise<void> {
    this.printAsync(
      this.render(reply, { channel, ts: String(++this.seq) }, `── only ${userId} sees this in ${channel}`),
    );
  }

  async uploadFile(
    channel: string,
    file: { filename: string; content: string; title?: string; threadTs?: string },
  ): Promise<void> {
    this.printAsync(
      `── file ${file.filename} in ${channel} (${Buffer.byteLength(file.content)} bytes)\n${file.content}`,
    );
  }
}
