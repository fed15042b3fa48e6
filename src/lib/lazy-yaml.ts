import { createRequire } from "node:module";

type Yaml = typeof import("yaml");

let loaded: Yaml | undefined;

/**
 * The yaml library, loaded at first use rather than at process start: a one-shot command with no
 * config file or runbook to read never pays for it. Synchronous (config and runbook parsing are):
 * from node_modules, unless `preloadYaml` loaded it already.
 */
export function yaml(): Yaml {
  loaded ??= createRequire(import.meta.url)("yaml") as Yaml;
  return loaded;
}

/**
 * Loads the library ahead of a parse, as an import: in the `opsbot` bundle that is one chunk rather
 * than ~75 CommonJS files found, read and compiled one by one (≈ 45 ms of a cold start that reads a
 * config). `opsbot ask` calls it when there is a config file to read.
 */
export async function preloadYaml(): Promise<void> {
  if (loaded) return;
  const module = (await import("yaml")) as Yaml & { default?: Yaml };
  loaded ??= module.default ?? module;
}
