/** `--name N` from the command line, or `fallback` when absent; a value that is not a number stops the bench. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value)) {
    process.stderr.write(`--${name} needs a number, got ${JSON.stringify(process.argv[i + 1] ?? "")}\n`);
    process.exit(2);
  }
  return value;
}
