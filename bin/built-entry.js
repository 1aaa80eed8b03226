import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The build's entry point (`dist/cli/main.js`, written by `npm run build`) when it may run instead of
 * the TypeScript sources: it exists, and no file under `src/` is newer than it (a checkout edited after
 * its last build runs its sources, never stale code). An image that ships `dist/` without `src/` runs
 * the build. Undefined when the sources must run.
 * @param {string} root the package's root folder
 * @returns {string | undefined}
 */
export function builtEntry(root) {
  const entry = join(root, "dist", "cli", "main.js");
  let built;
  try {
    built = statSync(entry).mtimeMs;
  } catch {
    return undefined;
  }
  let files;
  try {
    files = readdirSync(join(root, "src"), { recursive: true, withFileTypes: true });
  } catch {
    return entry; // no sources: only the build can run
  }
  for (const file of files) {
    if (file.isFile() && statSync(join(file.parentPath ?? file.path, file.name)).mtimeMs > built) return undefined;
  }
  return entry;
}
