/**
 * Turns the text Slack delivers back into what the user typed: Slack wraps what it recognises in angle
 * brackets (`<http://sw1.example.com|sw1.example.com>` for a host name, `<#C123|ops>`, `<@U123>`) and
 * escapes `&`, `<` and `>`. Commands must see `sw1.example.com`, not the link markup.
 */
export function normalizeIncomingText(text: string, botUserId?: string): string {
  let t = text;
  if (botUserId) t = t.replace(new RegExp(`^\\s*<@${botUserId}(\\|[^>]*)?>[\\s:,]*`), "");
  t = t.replace(/<([^<>]*)>/g, (_, inner: string) => {
    const [target = "", label] = inner.split("|", 2);
    if (target.startsWith("@")) return label ? `@${label}` : `<${target}>`;
    if (target.startsWith("#")) return label ? `#${label}` : target;
    if (target.startsWith("!")) return label ?? `@${target.slice(1).split("^")[0]}`;
    if (label !== undefined) return label;
    return target.replace(/^mailto:/, "");
  });
  return t
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2018\u2019]/g, "'")
    .trim();
}
