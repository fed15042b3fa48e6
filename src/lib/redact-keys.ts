/**
 * Redacts the values of secret-looking keys, whatever the value: secrets nobody configured still
 * leak through a step printing `"password": "…"`, `DB_PASSWORD=…`, `token: …`, an HTTP
 * `Authorization:` header or a private key. Pure; used by the Redactor before known secrets.
 */
const MARK = "[redacted]";

// A key naming a secret: password, db_password, X-Auth-Token, api_key, client_secret… Keys naming
// where a secret lives (`passphrase_env`, `token_file`, `password_path`) hold a name, not a secret.
const KEY = String.raw`[A-Za-z0-9_.-]*?(?:passw(?:or)?d|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|authorization|credentials?)(?![A-Za-z0-9_.-]*?[_-](?:env|file|path|name|id|type|expires?|ttl)\b)[A-Za-z0-9_.-]*`;
const QUOTED = String.raw`"(?:[^"\\\r\n]|\\.)*"|'[^'\r\n]*'`;

/** `"password": "x"`, `'token': 'x'`, `"secret": 123` (JSON, Python reprs, YAML flow). */
const JSON_FORM = new RegExp(String.raw`(["'])(${KEY})\1(\s*:\s*)(${QUOTED}|[^\s,}\]]+)`, "gi");
/** `password: x y`, `Authorization: Bearer x` (YAML, HTTP headers): the value runs to the line's end. */
const COLON_FORM = new RegExp(
  String.raw`(?<![\w.-])(${KEY})([ \t]*:[ \t]*)(${QUOTED}|(?![|>][ \t]*$)[^\s,;}\]][^\r\n,;}\]]*?)(?=[ \t]*(?:$|[\r\n,;}\]]))`,
  "gim",
);
/** `password=x`, `--token=x`, `?api_key=x&…`, `export DB_PASSWORD="x y"`. */
const EQUALS_FORM = new RegExp(String.raw`(?<![\w.-])(${KEY})([ \t]*=[ \t]*)(${QUOTED}|[^\s&;,'"]+)`, "gi");
/** PEM private key blocks; one cut short (output still streaming) is redacted to the end. */
const PRIVATE_KEY =
  /(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(?:[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----)|[\s\S]*$)/g;

export function redactSecretKeys(text: string): string {
  if (!/pass|secret|token|key|auth|credential/i.test(text)) return text;
  return text
    .replace(PRIVATE_KEY, (_m, begin: string, end?: string) => `${begin}\n${MARK}\n${end ?? ""}`)
    .replace(JSON_FORM, (m, q: string, key: string, sep: string, value: string) =>
      masked(value) ? m : `${q}${key}${q}${sep}${requote(value)}`,
    )
    .replace(COLON_FORM, (m, key: string, sep: string, value: string) =>
      masked(value) ? m : `${key}${sep}${requote(value)}`,
    )
    .replace(EQUALS_FORM, (m, key: string, sep: string, value: string) =>
      masked(value) ? m : `${key}${sep}${requote(value)}`,
    );
}

/** Already hidden: by this pass, a backup mask, or a masked parameter. */
function masked(value: string): boolean {
  return /^["']?(?:\[redacted\]|<masked>|•+|\*{3,})/.test(value);
}

function requote(value: string): string {
  const q = value[0];
  return q === '"' || q === "'" ? `${q}${MARK}${q}` : MARK;
}
