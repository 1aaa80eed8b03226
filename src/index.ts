/**
 * Probot entry (wiring only): `probot run ./src/index.ts` or any Probot host loads this default export.
 * `stagegate serve` (src/app/server.ts) is the supported way to run it; both validate the environment first.
 */
import type { ApplicationFunction } from "probot";
import { createStagegateApp } from "./app/app.js";
import { parseAppEnv } from "./app/env.js";

const stagegate: ApplicationFunction = (app, options) => {
  const env = parseAppEnv(process.env);
  if (!env.ok) throw new Error(`invalid Stagegate configuration:\n${env.errors.join("\n")}`);
  return createStagegateApp(env.env)(app, options);
};

export default stagegate;
