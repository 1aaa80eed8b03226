import { randomBytes } from "node:crypto";
import { open, readFile, realpath, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Command } from "commander";
import { renderUnifiedDiff } from "../../core/plan/unified-diff.js";
import { isDigest, setImageDigest } from "../../editors/index.js";

/**
 * `stagegate set-image FILE --image NAME --digest sha256:HEX [--tag T] [--dry-run]`: sets the digest of
 * every reference to an image in one manifest, with the same byte-minimal, proven edit the app uses.
 * Exit 0 when changed or already set, 2 when the file does not reference the image, 1 on errors
 * (invalid digest, unreadable file, templated file skipped, edit refused).
 */
export interface SetImageOptions {
  image: string;
  digest: string;
  tag?: string;
  dryRun?: boolean;
}

type Write = (text: string) => void;

/** Runs the command; returns the exit code. */
export async function runSetImage(file: string, options: SetImageOptions, out: Write, err: Write): Promise<number> {
  const fail = (message: string) => {
    err(`stagegate set-image: ${message}`);
    return 1;
  };
  try {
    if (!isDigest(options.digest)) return fail(`--digest must be sha256: followed by 64 lowercase hex characters, got "${options.digest}"`);
    const path = await realpath(file).catch(() => undefined);
    if (!path || !(await stat(path)).isFile()) return fail(`${file}: no such file`);
    const bytes = await readFile(path);
    const content = bytes.toString("utf8");
    // Writing back must preserve every byte we did not edit; non-UTF-8 input would not survive a round trip.
    if (!Buffer.from(content, "utf8").equals(bytes)) return fail(`${file}: not UTF-8 text`);
    const result = setImageDigest(file, content, { image: options.image, digest: options.digest, ...(options.tag ? { tag: options.tag } : {}) });
    switch (result.status) {
      case "unchanged":
        out(`${file}: ${options.image} is already at ${options.digest}`);
        return 0;
      case "not-found":
        err(`stagegate set-image: ${file}: ${result.reason ?? `no reference to ${options.image}`}`);
        return 2;
      case "skipped":
        return fail(`${file}: skipped: ${result.reason ?? "cannot be edited safely"}`);
      case "refused":
        return fail(`${file}: edit refused: ${result.reason ?? "could not be proven"}`);
      case "changed":
        break;
    }
    if (options.dryRun) {
      out(renderUnifiedDiff(file, content, result.content).replace(/\n$/, ""));
      return 0;
    }
    await writeAtomically(path, result.content);
    const lines = new Set(result.changes.map((c) => c.line)).size;
    out(`${file}: set ${options.image} to ${options.digest} (${result.editor ?? "edited"}, ${lines} ${lines === 1 ? "line" : "lines"})`);
    return 0;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

/** Writes next to the target, fsyncs, then renames over it (keeping its mode), so readers never see half a file. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const { mode } = await stat(path);
  const temp = join(dirname(path), `.${basename(path)}.stagegate-${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", mode & 0o7777);
  try {
    await handle.writeFile(content, "utf8");
    await handle.sync();
    await handle.chmod(mode & 0o7777);
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export function register(program: Command): void {
  program
    .command("set-image")
    .description("Set the digest of an image in one manifest (kustomize, Helm values, Kubernetes, Argo CD, Flux markers)")
    .argument("<file>", "manifest to edit")
    .requiredOption("--image <name>", "image repository, e.g. ghcr.io/acme/checkout")
    .requiredOption("--digest <digest>", "image digest (sha256:…)")
    .option("--tag <tag>", "human-readable tag written where a tag already exists")
    .option("--dry-run", "print a unified diff instead of writing the file")
    .action(async (file: string, options: SetImageOptions) => {
      process.exitCode = await runSetImage(file, options, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`));
    });
}
