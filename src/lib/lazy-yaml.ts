import { createRequire } from "node:module";

type Yaml = typeof import("yaml");

let loaded: Yaml | undefined;

/**
 * The yaml library, loaded at first use rather than at process start: a one-shot command with no
 * config file or runbook to read never pays for it. Synchronous (config and runbook parsing are).
 */
export function yaml(): Yaml {
  loaded ??= createRequire(import.meta.url)("yaml") as Yaml;
  return loaded;
}
