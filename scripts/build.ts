/**
 * `npm run build`: the CLI and the server as JavaScript in `dist/cli/` (esbuild: one module per command
 * plus the chunks they share). The small pure-JavaScript packages every command loads are bundled in
 * ({@link INLINED}); the others stay in node_modules, imported as they are. `bin/stagegate.js` runs
 * it when it is newer than every file and folder under src/, else the sources through tsx. Starting a
 * command from the build skips tsx's loader: `stagegate audit --help` ~0.19 s instead of 0.48–0.61 s
 * (docs/audit-performance.md). Usage: `npx tsx scripts/build.ts [OUTDIR]` (default `dist`).
 */
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "..");

/**
 * Dependencies bundled into the build: pure JavaScript, no file they resolve at run time, loaded by
 * most commands. Loading them as ES modules from node_modules was most of a command's start-up (zod
 * alone is ~95 modules): `stagegate audit --help` 0.17–0.22 s with them bundled against 0.21–0.29 s.
 * Probot, pino (its transports are files it resolves when it starts), Octokit, ioredis and sigstore
 * stay in node_modules. Their license comments are kept (`legalComments: "eof"`).
 */
export const INLINED = ["zod", "yaml", "commander", "rfc6902"] as const;

/** Every runtime dependency but the inlined ones (and their subpaths), for esbuild's `external`. */
function externals(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };
  return Object.keys(pkg.dependencies)
    .filter((name) => !(INLINED as readonly string[]).includes(name))
    .flatMap((name) => [name, `${name}/*`]);
}

/**
 * Builds into `outdir` (emptied first). The modules land in `<outdir>/cli/`, two levels below the root
 * as the sources in `src/<folder>/` are, so paths a module resolves from its own URL (the demo's
 * `environments-template/`) name the same files.
 */
export async function buildDist(outdir = join(ROOT, "dist")): Promise<void> {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [join(ROOT, "src", "cli", "main.ts")],
    outdir: join(outdir, "cli"),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: externals(),
    // The CommonJS packages bundled in (commander, yaml's node build) call require() for Node's modules.
    banner: { js: 'import { createRequire as __stagegateCreateRequire } from "node:module";\nconst require = __stagegateCreateRequire(import.meta.url);' },
    sourcemap: "linked",
    legalComments: "eof",
    logLevel: "warning",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outdir = resolve(process.argv[2] ?? join(ROOT, "dist"));
  const started = performance.now();
  await buildDist(outdir);
  console.log(`built ${join(outdir, "cli", "main.js")} in ${Math.round(performance.now() - started)} ms`);
}
