// Lets a plain `node` child process run the TypeScript sources directly (crash tests spawn one):
// `node --import ./test/support/orch-ts-loader.mjs script.ts`. See orch-ts-hooks.mjs.
import { register } from "node:module";

register("./orch-ts-hooks.mjs", import.meta.url);
