/** The build's entry point (`dist/cli/main.js`) when it exists and nothing under `src/` (file or folder) is newer; undefined when the sources must run. */
export function builtEntry(root: string): string | undefined;
