// Module hooks: strip TypeScript types with the compiler already installed, and resolve the `.js`
// import specifiers used throughout the sources (NodeNext style) to the `.ts` file beside them.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

export async function resolve(specifier, context, next) {
  const relative = specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("file:");
  if (relative && specifier.endsWith(".js")) {
    const url = specifier.startsWith("/") ? pathToFileURL(specifier) : new URL(specifier, context.parentURL);
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
