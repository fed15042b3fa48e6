/**
 * POSIX single-quoting: the only way a value reaches a shell command line. Inside single quotes
 * nothing is special, so the value arrives as exactly one literal argument; an embedded quote is
 * closed, escaped and reopened ('\''). NUL cannot be passed in an argument and is refused.
 */
export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new Error("a shell argument cannot contain NUL");
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
