#!/usr/bin/env node
// Runs the build (dist/, `npm run build`: what the container runs) when it is there and newer than
// every file and folder under src/ (built-entry.js); otherwise the TypeScript sources through tsx's
// loader (a checkout without a build, or edited since: tests and development run the sources as they are).
import { fileURLToPath, pathToFileURL } from "node:url";
import { builtEntry } from "./built-entry.js";

const built = builtEntry(fileURLToPath(new URL("..", import.meta.url)));
if (built) {
  await import(pathToFileURL(built).href);
} else {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write("stagegate: no build in dist/ and no tsx to run the sources: run `npm ci && npm run build`\n");
    process.exit(1);
  }
  register();
  await import("../src/cli/main.ts");
}
