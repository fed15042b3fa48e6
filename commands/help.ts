import { usage } from "../src/chat/args.js";
import { hasRole } from "../src/chat/permissions.js";
import { type Block, context, errorReply, fields, heading, reply, table, text } from "../src/chat/reply.js";
import { suggest } from "../src/chat/suggest.js";
import { paramList } from "../src/orchestration/presenters/runbook-list.js";
import { type Command, type Context, defineCommand, type Services } from "./services.js";

export default defineCommand({
  name: "help",
  aliases: ["?"],
  summary: "List the commands you can run, or explain one",
  args: [{ name: "command", kind: "positional", type: "string", rest: true, description: "a command name" }],
  examples: ["help", "help links down", "help as"],
  sideEffects: false,
  // Only `help run` reads the runbooks (orchestration); the list and every other command's help need none.
  uses: (args) => (isRun(args.values.command) ? ["orchestration"] : []),
  async handler(args, ctx) {
    const mine = ctx.services.commands.filter((c) => hasRole(ctx.user, c.role));
    const wanted = args.values.command as string | undefined;
    if (wanted === undefined) {
      return reply(
        heading("opsbot commands"),
        table(
          ["command", "what it does"],
          mine.map((c) => [usage(c), c.summary + (c.sideEffects ? " (changes things)" : "")]),
        ),
        context(
          `You are ${ctx.user.name}${ctx.user.roles.length > 0 ? ` (${ctx.user.roles.join(", ")})` : ""}. ` +
            "Say `help <command>` for details. Arguments: <required> [optional], key=value options, --flags.",
        ),
      );
    }
    const key = wanted.toLowerCase();
    const spec = mine.find((c) => c.name === key || (c.aliases ?? []).includes(key));
    if (!spec) {
      const close = suggest(
        key,
        mine.map((c) => c.name),
      );
      return errorReply(
        `No command \`${wanted}\` that you can run.${close.length > 0 ? ` Did you mean ${close.map((c) => `\`${c}\``).join(" or ")}?` : ""}`,
      );
    }
    const described = describe(spec);
    if (isRun(spec.name)) described.blocks.push(...(await runbooksFor(ctx)));
    return described;
  },
});

/** `help run`: the run command has no alias, so its name is the one way to ask. */
function isRun(name: unknown): boolean {
  return typeof name === "string" && name.trim().toLowerCase() === "run";
}

/** `help run` lists what this user may request, not every runbook. */
async function runbooksFor(
  ctx: Pick<Context, "user" | "where"> & { services: Pick<Services, "orchestration"> },
): Promise<Block[]> {
  const o = ctx.services.orchestration;
  const mine = await o.access.requestable(o.runbooks(), ctx.user, ctx.where);
  if (mine.length === 0)
    return [text("You may not request any runbook. Each names its runners (default: the oncall role).")];
  return [
    table(
      ["runbook you may request", "parameters", "here"],
      mine.map((m) => [m.version.name, paramList(m.version), m.here ? "yes" : "not in this channel"]),
    ),
  ];
}

function describe(spec: Command) {
  const blocks = [heading(spec.name), text(spec.description ?? spec.summary)];
  blocks.push(
    fields({
      Usage: `\`${usage(spec)}\``,
      ...(spec.aliases?.length ? { Aliases: spec.aliases.join(", ") } : {}),
      "Changes things": spec.sideEffects ? "yes" : "no (read-only)",
      "Who may run it": spec.role ? `${spec.role} role (or admin)` : (spec.access ?? "anyone"),
    }),
  );
  if (spec.args?.length) {
    blocks.push(
      table(
        ["argument", "type", "default", "meaning"],
        spec.args.map((a) => [
          a.kind === "positional" ? `<${a.name}>` : a.kind === "flag" ? `--${a.name}` : `${a.name}=`,
          a.type === "enum" ? (a.choices ?? []).join("|") : a.type,
          a.default === undefined ? (a.required ? "required" : "") : String(a.default),
          a.description,
        ]),
      ),
    );
  }
  blocks.push(context(`Examples: ${spec.examples.map((e) => `\`${e}\``).join(", ")}`));
  return reply(...blocks);
}
