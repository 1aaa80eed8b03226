import { lstat, open, readdir, realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";
import type { Command } from "commander";
import { parseDocument } from "yaml";
import { checkImageReferences } from "../../core/config/image-check.js";
import type { ImageComparer, ImageFinder } from "../../core/config/image-check.js";
import { loadConfiguration } from "../../core/config/load.js";
import { formatDiagnostic } from "../../core/config/loaded.js";
import type { Diagnostic } from "../../core/config/loaded.js";
import { MAX_CONFIG_BYTES } from "../../core/config/locate.js";
import { findImageReferences, isSameImage } from "../../editors/index.js";

/**
 * `stagegate validate [--repo DIR] [--json]`: validates stagegate.yaml and policies/ of an
 * environments repository checkout, exactly as the GitHub App's validation check does.
 * Exit 0 when valid (warnings allowed), 1 on errors, 2 on usage errors.
 */

/** Environment files larger than this are not read (they cannot be manifests anyone edits by hand). */
const MAX_FILE_BYTES = MAX_CONFIG_BYTES;
/** Upper bound of files read, so a mistaken --repo / cannot walk a whole disk. */
const MAX_FILES = 20_000;

function isManifestName(name: string): boolean {
  return /\.(ya?ml|json)$/i.test(name) || name === "kustomization" || name === "Kustomization";
}

/** Reads at most `limit` bytes: an oversized config file is still handed to the loader, which refuses it with a diagnostic. */
async function readCapped(path: string, limit: number): Promise<string> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await handle.close();
  }
}

/** Environment paths declared in stagegate.yaml, read leniently: validation proper happens in the loader. */
function declaredEnvironmentPaths(content: string | undefined): string[] {
  if (content === undefined || content.length > MAX_CONFIG_BYTES) return [];
  try {
    const data = parseDocument(content, { uniqueKeys: false }).toJS({ maxAliasCount: 100 }) as { environments?: unknown } | null;
    const envs = Array.isArray(data?.environments) ? data.environments : [];
    return envs
      .map((e: unknown) => (e && typeof e === "object" ? (e as { path?: unknown }).path : undefined))
      .filter((p): p is string => typeof p === "string" && p !== "" && !p.startsWith("/") && !p.split(/[\\/]/).includes(".."));
  } catch {
    return [];
  }
}

class RepoReader {
  readonly files = new Map<string, string>();
  constructor(private readonly root: string) {}

  /** Adds one file (repo-relative, `/`-separated) unless it is a symlink leaving the repo or too large. */
  async addFile(relPath: string, capConfig: boolean): Promise<void> {
    if (this.files.has(relPath) || this.files.size >= MAX_FILES) return;
    const absolute = join(this.root, relPath);
    const info = await lstat(absolute).catch(() => undefined);
    if (!info) return;
    if (info.isSymbolicLink() && !(await this.staysInside(absolute))) return;
    const target = await stat(absolute).catch(() => undefined);
    if (!target?.isFile()) return;
    if (capConfig) this.files.set(relPath, await readCapped(absolute, MAX_CONFIG_BYTES + 1));
    else if (target.size <= MAX_FILE_BYTES) this.files.set(relPath, await readCapped(absolute, MAX_FILE_BYTES));
  }

  /** Adds every manifest-like file below `relDir`. */
  async addTree(relDir: string, capConfig: boolean): Promise<void> {
    const absolute = join(this.root, relDir);
    const info = await lstat(absolute).catch(() => undefined);
    if (!info || (info.isSymbolicLink() && !(await this.staysInside(absolute)))) return;
    const entries = await readdir(absolute, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (this.files.size >= MAX_FILES) return;
      const child = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
      if (entry.name === ".git") continue;
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(join(this.root, child)).catch(() => undefined))?.isDirectory());
      if (isDir) await this.addTree(child, capConfig);
      else if (isManifestName(entry.name)) await this.addFile(child, capConfig);
    }
  }

  private async staysInside(absolute: string): Promise<boolean> {
    const [real, root] = await Promise.all([realpath(absolute).catch(() => ""), realpath(this.root)]);
    return real !== "" && (real === root || real.startsWith(root + sep));
  }
}

/**
 * Reads what the loader needs from a checkout: stagegate.yaml, policies/** and every manifest-like
 * file (.yaml, .yml, .json, kustomization) under each declared environment path. Symlinks leaving
 * the directory and environment files over 1 MiB are skipped.
 */
export async function readRepositoryFiles(dir: string): Promise<Map<string, string>> {
  const reader = new RepoReader(dir);
  await reader.addFile("stagegate.yaml", true);
  await reader.addFile("stagegate.yml", true);
  await reader.addTree("policies", true);
  for (const envPath of declaredEnvironmentPaths(reader.files.get("stagegate.yaml"))) {
    const clean = envPath.split(/[\\/]+/).filter((s) => s !== "" && s !== ".").join("/");
    await reader.addTree(clean, false);
  }
  return reader.files;
}

/** The outcome `stagegate validate --json` prints. */
export interface ValidationReport {
  valid: boolean;
  diagnostics: Diagnostic[];
}

/** Validates a snapshot: the loader's diagnostics plus the image-reference warnings. */
export function validateFiles(files: ReadonlyMap<string, string>, findRefs: ImageFinder = findImageReferences, isSame: ImageComparer = isSameImage): ValidationReport {
  const result = loadConfiguration(files);
  if (!result.ok) return { valid: false, diagnostics: result.diagnostics };
  const imageWarnings = checkImageReferences(result.loaded, files, findRefs, isSame);
  return { valid: true, diagnostics: [...result.warnings, ...imageWarnings] };
}

function summarize(report: ValidationReport): string {
  const errors = report.diagnostics.filter((d) => d.severity === "error").length;
  const warnings = report.diagnostics.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (report.valid) return `configuration is valid${warnings > 0 ? ` (${plural(warnings, "warning")})` : ""}`;
  const fileCount = new Set(report.diagnostics.filter((d) => d.severity === "error").map((d) => d.file)).size;
  return `configuration is invalid: ${plural(errors, "error")}${warnings > 0 ? `, ${plural(warnings, "warning")}` : ""} in ${plural(fileCount, "file")}`;
}

/** The command's body; returns the exit code. */
export async function runValidate(options: { repo: string; json?: boolean }, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const info = await stat(options.repo).catch(() => undefined);
  if (!info?.isDirectory()) {
    err(`stagegate validate: --repo ${options.repo}: not a directory`);
    return 2;
  }
  const files = await readRepositoryFiles(options.repo);
  const report = validateFiles(files);
  if (options.json) {
    out(JSON.stringify(report, null, 2));
  } else {
    for (const d of report.diagnostics) err(formatDiagnostic(d));
    // Diagnostics name repo-relative paths (as the GitHub check does); the summary names the repo as given.
    err(`${options.repo}: ${summarize(report)}`);
  }
  return report.valid ? 0 : 1;
}

/** Registers `stagegate validate`. */
export function register(program: Command): void {
  program
    .command("validate")
    .description("Validate stagegate.yaml and policies/ of an environments repository (exit 1 with file:line:col messages on errors)")
    .option("--repo <dir>", "environments repository checkout", ".")
    .option("--json", "print {valid, diagnostics} as JSON on stdout")
    .exitOverride((error) => {
      // Usage errors exit 2 so scripts can tell them from an invalid configuration (exit 1).
      process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
    })
    .action(async (options: { repo: string; json?: boolean }) => {
      try {
        process.exitCode = await runValidate(options, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`));
      } catch (error) {
        process.stderr.write(`stagegate validate: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      }
    });
}
