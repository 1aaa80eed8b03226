/** The build's entry point (`dist/cli/main.js`) when it exists and no file under `src/` is newer; undefined when the sources must run. */
export function builtEntry(root: string): string | undefined;
