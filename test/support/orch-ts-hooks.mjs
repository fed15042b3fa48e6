// Module hooks: strip TypeScript types with the compiler already installed, and resolve the `.js`
// import specifiers used throughout the sources (NodeNext style) to the `.ts` file beside them.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

// `npm test` builds before it runs vitest (and says so with OPSBOT_SKIP_BUILD=1): a child then loads the
// compiled src/ and commands/ from dist/ — the code under test, without transpiling ~200 files on a busy
// machine. Only the child's own script (under test/) is transpiled here.
const REPO = new URL("../../", import.meta.url);
const DIST = new URL("dist/", REPO);
const FROM_DIST =
  process.env.OPSBOT_SKIP_BUILD === "1" && existsSync(fileURLToPath(new URL("src/main.js", DIST)));

function distFor(url) {
  if (!FROM_DIST) return undefined;
  for (const dir of ["src/", "commands/"]) {
    const base = new URL(dir, REPO).href;
    if (url.href.startsWith(base)) {
      const built = new URL(dir + url.href.slice(base.length), DIST);
      if (existsSync(fileURLToPath(built))) return built.href;
    }
  }
  return undefined;
}

export async function resolve(specifier, context, next) {
  const relative = specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("file:");
  if (relative && specifier.endsWith(".js")) {
    const url = specifier.startsWith("/") ? pathToFileURL(specifier) : new URL(specifier, context.parentURL);
    const built = distFor(url);
    if (built) return next(built, context);
    if (!existsSync(fileURLToPath(url))) {
      const ts = new URL(url.href.replace(/\.js$/, ".ts"));
      if (existsSync(fileURLToPath(ts))) return next(ts.href, context);
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith(".ts")) return next(url, context);
  const ts = (await import("typescript")).default;
  const source = readFileSync(fileURLToPath(url), "utf8");
  const out = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
  });
  return { format: "module", source: out.outputText, shortCircuit: true };
}
