import { type FSWatcher, readdirSync, readFileSync, watch } from "node:fs";
import { basename, join } from "node:path";
import type { Logger } from "../../lib/logger.js";
import { contentHash, parseRunbook, type RunbookVersion } from "./parse.js";
import type { RunbookProblem } from "./problems.js";

/**
 * The active runbooks, loaded from a directory and reloaded when files change (no restart). A file
 * that stops validating keeps its previous valid version active and reports why; every valid version
 * is handed to `saveVersion` (content-addressed) so a run can always be traced to, and resumed on,
 * the exact text it executed.
 */
export interface RunbookCatalog {
  list(): RunbookVersion[];
  get(name: string): RunbookVersion | undefined;
  /** Current problems of files that do not validate (their previous version, if any, stays active). */
  problems(): RunbookProblem[];
  reload(): ReloadReport;
  /** Called after every reload that changed something. */
  onChange(listener: (report: ReloadReport) => void): () => void;
  close(): void;
}

export interface ReloadReport {
  loaded: RunbookVersion[];
  removed: string[];
  problems: RunbookProblem[];
}

export interface CatalogOptions {
  dir: string;
  watch?: boolean;
  debounceMs?: number;
  saveVersion?: (v: RunbookVersion) => void;
  logger?: Pick<Logger, "info" | "warn">;
}

interface FileState {
  hash: string;
  /** Last valid version from this file (stays active while the file is broken). */
  version?: RunbookVersion;
  problems: RunbookProblem[];
}

export function isRunbookFile(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !name.startsWith(".");
}

export function createRunbookCatalog(options: CatalogOptions): RunbookCatalog {
  const files = new Map<string, FileState>();
  let active = new Map<string, RunbookVersion>();
  let duplicateProblems: RunbookProblem[] = [];
  const listeners = new Set<(r: ReloadReport) => void>();
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;

  const label = (file: string) => join(options.dir, file);

  function listDir(): string[] {
    try {
      return readdirSync(options.dir).filter(isRunbookFile).sort();
    } catch (err) {
      options.logger?.warn(
        { dir: options.dir, err: (err as Error).message },
        "runbooks directory unreadable",
      );
      return [];
    }
  }

  function reload(): ReloadReport {
    const report: ReloadReport = { loaded: [], removed: [], problems: [] };
    const names = listDir();
    for (const gone of [...files.keys()].filter((f) => !names.includes(f))) files.delete(gone);
    for (const name of names) {
      let content: string;
      try {
        content = readFileSync(join(options.dir, name), "utf8");
      } catch (err) {
        // Deleted between listing and reading, or unreadable: report and keep what we had.
        const prev = files.get(name);
        const problem = { file: label(name), field: "", message: `cannot read: ${(err as Error).message}` };
        files.set(name, {
          hash: "",
          problems: [problem],
          ...(prev?.version ? { version: prev.version } : {}),
        });
        report.problems.push(problem);
        continue;
      }
      const hash = contentHash(content);
      const prev = files.get(name);
      if (prev && prev.hash === hash) continue;
      const parsed = parseRunbook(content, label(name));
      if (parsed.ok) {
        options.saveVersion?.(parsed.version);
        files.set(name, { hash, version: parsed.version, problems: [] });
        report.loaded.push(parsed.version);
      } else {
        files.set(name, {
          hash,
          problems: parsed.problems,
          ...(prev?.version ? { version: prev.version } : {}),
        });
        report.problems.push(...parsed.problems);
        options.logger?.warn(
          {
            file: label(name),
            problems: parsed.problems.length,
            keptVersion: prev?.version?.hash.slice(0, 12) ?? null,
          },
          "runbook invalid; previous version stays active",
        );
      }
    }
    const next = new Map<string, RunbookVersion>();
    duplicateProblems = [];
    for (const name of names) {
      const v = files.get(name)?.version;
      if (!v) continue;
      const taken = next.get(v.name);
      if (taken) {
        duplicateProblems.push({
          file: label(name),
          line: 1,
          col: 1,
          field: "name",
          message: `runbook name "${v.name}" is already used by ${taken.file}; this file is ignored`,
        });
        continue;
      }
      next.set(v.name, v);
    }
    report.removed = [...active.keys()].filter((n) => !next.has(n));
    report.problems.push(...duplicateProblems);
    active = next;
    if (report.loaded.length > 0) {
      options.logger?.info(
        { runbooks: report.loaded.map((v) => `${v.name}@${v.hash.slice(0, 12)}`) },
        "runbooks loaded",
      );
    }
    if (report.loaded.length + report.removed.length + report.problems.length > 0) {
      for (const l of listeners) l(report);
    }
    return report;
  }

  reload();
  if (options.watch) {
    try {
      watcher = watch(options.dir, { persistent: false }, () => {
        // Editors write in bursts (truncate, write, rename); settle before re-reading.
        if (timer) clearTimeout(timer);
        timer = setTimeout(reload, options.debounceMs ?? 200);
        timer.unref?.();
      });
      watcher.on("error", (err) => options.logger?.warn({ err: err.message }, "runbook watcher failed"));
    } catch (err) {
      options.logger?.warn(
        { dir: options.dir, err: (err as Error).message },
        "cannot watch runbooks; reload needs a restart",
      );
    }
  }

  return {
    list: () => [...active.values()].sort((a, b) => a.name.localeCompare(b.name)),
    get: (name) => active.get(name),
    problems: () => [...[...files.values()].flatMap((f) => f.problems), ...duplicateProblems],
    reload,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}

/** `opsbot runbook validate [files…]`: every problem of every file, plus duplicate names across them. */
export function validateRunbookFiles(paths: readonly string[]): {
  versions: RunbookVersion[];
  problems: RunbookProblem[];
} {
  const versions: RunbookVersion[] = [];
  const problems: RunbookProblem[] = [];
  const byName = new Map<string, string>();
  for (const path of paths) {
    let content: string;
    try {
      content = readFileSync(path, "utf8");
    } catch (err) {
      problems.push({ file: path, field: "", message: `cannot read: ${(err as Error).message}` });
      continue;
    }
    const r = parseRunbook(content, path);
    if (!r.ok) {
      problems.push(...r.problems);
      continue;
    }
    const other = byName.get(r.version.name);
    if (other) {
      problems.push({
        file: path,
        line: 1,
        col: 1,
        field: "name",
        message: `runbook name "${r.version.name}" also used by ${other}`,
      });
    } else byName.set(r.version.name, path);
    versions.push(r.version);
  }
  return { versions, problems };
}

/** The runbook files of a directory, for `validate` without arguments. */
export function runbookFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter(isRunbookFile)
    .sort()
    .map((f) => join(dir, basename(f)));
}
