import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The build's entry point (`dist/cli/main.js`, written by `npm run build`) when it may run instead of
 * the TypeScript sources: it exists, and nothing under `src/` is newer than it: no file, and no folder
 * (a file removed or renamed changes its folder's time, not any file's). A checkout edited after its
 * last build runs its sources, never stale code. An image that ships `dist/` without `src/` runs the
 * build. Undefined when the sources must run.
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
  const src = join(root, "src");
  let entries;
  try {
    if (statSync(src).mtimeMs > built) return undefined;
    entries = readdirSync(src, { recursive: true, withFileTypes: true });
  } catch {
    return entry; // no sources: only the build can run
  }
  for (const item of entries) {
    if ((item.isFile() || item.isDirectory()) && statSync(join(item.parentPath ?? item.path, item.name)).mtimeMs > built) return undefined;
  }
  return entry;
}
