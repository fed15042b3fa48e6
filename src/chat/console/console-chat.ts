import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Config } from "../../config/schema.js";
import type { ChatUser } from "../../lib/actor.js";
import { rolesFor } from "../permissions.js";
import type { ChatPort, MessageRef } from "../port.js";
import type { Button, Reply, ReplyFile } from "../reply.js";
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

  constructor(
    private readonly options: {
      config: Config;
      userName: string;
      channel: string;
      write: (text: string) => void;
      color?: boolean;
      /** Where files of replies (charts) are saved; default <tmp>/opsbot-files. */
      filesDir?: string;
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
    const setPrompt = () => rl.setPrompt(`${this.user.name}> `);
    setPrompt();
    if (prompt) rl.prompt();
    for await (const line of rl) {
      if (/^(quit|exit)$/i.test(line.trim())) break;
      if (!prompt && line.trim() !== "") this.print(`${this.user.name}> ${line.trim()}`);
      await this.handleLine(line);
      setPrompt();
      if (prompt) rl.prompt();
    }
    rl.close();
  }

  show(reply: Reply, channel: string, label?: string): MessageRef {
    const ref = { channel, ts: String(++this.seq) };
    this.print(this.render(reply, ref, label));
    return ref;
  }

  private render(reply: Reply, ref: MessageRef, label?: string): string {
    const first = this.nextButton;
    for (const button of buttonsOf(reply)) this.buttons.set(this.nextButton++, { button, message: ref });
    const body = renderText(reply, { firstButtonNumber: first, color: this.options.color ?? false });
    const choices = buttonsOf(reply).length > 0 ? "\n(type the number of a choice to click it)" : "";
    const files = (reply.files ?? []).map((f) => `\n${this.saveFile(f, ref)}`).join("");
    return `${label ? `${label}\n` : ""}${body}${choices}${files}`;
  }

  /** A terminal cannot show a picture: the file is saved and its path printed. */
  private saveFile(file: ReplyFile, ref: MessageRef): string {
    const dir = this.options.filesDir ?? join(tmpdir(), "opsbot-files");
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${ref.channel}-${ref.ts}-${file.filename}`.replace(/[^A-Za-z0-9._-]/g, "_"));
    writeFileSync(path, file.content);
    const size = typeof file.content === "string" ? Buffer.byteLength(file.content) : file.content.length;
    return `── file ${file.title}: ${path} (${size} bytes)`;
  }

  private print(text: string): void {
    this.options.write(`${text}\n`);
  }

  private requireRouter(): Router {
    if (!this.router) throw new Error("ConsoleChat used before attach(router)");
    return this.router;
  }

  // ChatPort: messages opsbot sends on its own (alerts, run progress).
  async post(channel: string, reply: Reply, options: { threadTs?: string } = {}): Promise<MessageRef> {
    const ref = { channel, ts: String(++this.seq) };
    const where = options.threadTs ? `${channel} (thread ${options.threadTs})` : channel;
    const rendered = this.render(reply, ref, `── message ${ref.ts} in ${where}`);
    this.lastRendered.set(`${channel}/${ref.ts}`, rendered);
    this.print(rendered);
    return ref;
  }

  async update(ref: MessageRef, reply: Reply): Promise<void> {
    const body = renderText(reply);
    const key = `${ref.channel}/${ref.ts}`;
    if (this.lastRendered.get(key) === body) return;
    this.lastRendered.set(key, body);
    this.print(this.render(reply, ref, `── message ${ref.ts} in ${ref.channel} (updated)`));
  }

  async postEphemeral(channel: string, userId: string, reply: Reply): Promise<void> {
    this.print(
      this.render(reply, { channel, ts: String(++this.seq) }, `── only ${userId} sees this in ${channel}`),
    );
  }

  async uploadFile(
    channel: string,
    file: { filename: string; content: string | Uint8Array; title?: string; threadTs?: string },
  ): Promise<void> {
    if (typeof file.content !== "string") {
      const ref = { channel, ts: String(++this.seq) };
      this.print(this.saveFile({ ...file, title: file.title ?? file.filename }, ref));
      return;
    }
    this.print(
      `── file ${file.filename} in ${channel} (${Buffer.byteLength(file.content)} bytes)\n${file.content}`,
    );
  }
}
