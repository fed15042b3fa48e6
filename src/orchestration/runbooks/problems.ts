/** A problem found in a runbook file, located as precisely as the YAML allows. */
export interface RunbookProblem {
  file: string;
  /** 1-based; absent when the problem is not tied to a place in the file (e.g. unreadable file). */
  line?: number;
  col?: number;
  /** Field path, e.g. steps[2].needs[0]; empty for the whole file. */
  field: string;
  /** What is wrong and what is expected. */
  message: string;
}

export type PathSegment = string | number;

export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? p : `.${p}`;
  }
  return out;
}

/** "runbooks/deploy.yaml:12:5: steps[2].needs[0]: unknown step \"biuld\"" */
export function formatProblem(p: RunbookProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.col ?? 1}`;
  return p.field ? `${where}: ${p.field}: ${p.message}` : `${where}: ${p.message}`;
}
