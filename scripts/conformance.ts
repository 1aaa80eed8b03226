/**
 * Conformance run of the editors over a corpus of real manifests:
 *   npm run conformance -- ../shared/corpus [--out conformance-report.json]
 * For each file, every image found is bumped to a fixed digest (one setImageDigest call per
 * distinct image). Each call is checked from the outside with a line diff: the changed lines
 * must be exactly the reported changes, each must carry the new digest and none may be a
 * comment; the file's total diff must equal the number of references changed.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { findImageReferences, setImageDigest } from "../src/editors/index.js";
import type { Digest } from "../src/editors/index.js";
import { countChangedLines, diffLines, splitLines } from "../src/editors/line-diff.js";
import { YamlFile } from "../src/editors/yaml-file.js";

/** The digest every reference is bumped to. */
export const CONFORMANCE_DIGEST: Digest = `sha256:${"c0ffee".repeat(10)}abcd`;

interface IndexEntry { file: string; kind: string; path?: string; images: string[]; notes?: string }

/** Outcome of one file. */
export interface FileReport {
  file: string;
  kind: string;
  indexed: number;
  found: number;
  bumped: number;
  diffLines: number;
  refused: string[];
  skipped: string[];
  traps: string[];
}

/** Totals over the corpus. */
export interface ConformanceSummary {
  files: number;
  refsIndexed: number;
  refsFound: number;
  refsBumped: number;
  refused: number;
  skipped: number;
  trapsTouched: number;
  diffMatches: number;
  diffMismatches: string[];
}

export interface ConformanceReport { summary: ConformanceSummary; files: FileReport[] }

/** Check one successful call: changed lines are exactly the reported ones and carry the digest. */
function checkCall(before: string, after: string, reported: number[], hex: string): string[] {
  const diff = diffLines(before, after);
  const oldLines = splitLines(before);
  const newLines = splitLines(after);
  const problems: string[] = [];
  const expected = new Set(reported);
  for (const line of diff.added) {
    const text = newLines[line - 1] ?? "";
    if (!expected.has(line)) problems.push(`line ${line} changed but was not reported: ${text.trim().slice(0, 80)}`);
    else if (!text.includes(hex)) problems.push(`line ${line} changed without the new digest: ${text.trim().slice(0, 80)}`);
    if (/^\s*#/.test(text)) problems.push(`comment line ${line} changed`);
  }
  for (const line of diff.removed) if (/^\s*#/.test(oldLines[line - 1] ?? "")) problems.push(`comment line ${line} (old) changed`);
  for (const line of reported) if (!diff.added.includes(line)) problems.push(`reported line ${line} did not change`);
  return problems;
}

/** Bump every image of one file and check the result. */
export function checkFile(fileName: string, content: string, digest: Digest = CONFORMANCE_DIGEST): Omit<FileReport, "file" | "kind" | "indexed"> {
  const report = { found: 0, bumped: 0, diffLines: 0, refused: [] as string[], skipped: [] as string[], traps: [] as string[] };
  const parsed = new YamlFile(fileName, content);
  if (parsed.error) {
    report.skipped.push(`invalid YAML: ${parsed.error}`);
    return report;
  }
  const references = findImageReferences(fileName, content);
  report.found = references.length;
  const hex = digest.slice("sha256:".length);
  let current = content;
  for (const image of [...new Set(references.map((r) => r.image))]) {
    const result = setImageDigest(fileName, current, { image, digest });
    if (result.status === "refused") report.refused.push(`${image}: ${result.reason ?? ""}`);
    if (result.status === "skipped") report.skipped.push(`${image}: ${result.reason ?? ""}`);
    if (result.status !== "changed") continue;
    report.traps.push(...checkCall(current, result.content, result.changes.map((c) => c.line), hex));
    report.bumped += result.changes.length;
    current = result.content;
  }
  report.diffLines = countChangedLines(diffLines(content, current));
  return report;
}

/** Run the conformance over `<dir>/index.json`. */
export function runConformance(dir: string): ConformanceReport {
  const entries = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as IndexEntry[];
  const files: FileReport[] = entries.map((entry) => {
    const content = readFileSync(join(dir, entry.file), "utf8");
    // The original path keeps the real file name (`.argocd-source.yaml`, `Kustomization`).
    return { file: entry.file, kind: entry.kind, indexed: entry.images.length, ...checkFile(entry.path ?? entry.file, content) };
  });
  const mismatches = files.filter((f) => f.diffLines !== f.bumped).map((f) => f.file);
  const summary: ConformanceSummary = {
    files: files.length,
    refsIndexed: files.reduce((n, f) => n + f.indexed, 0),
    refsFound: files.reduce((n, f) => n + f.found, 0),
    refsBumped: files.reduce((n, f) => n + f.bumped, 0),
    refused: files.reduce((n, f) => n + f.refused.length, 0),
    skipped: files.reduce((n, f) => n + f.skipped.length, 0),
    trapsTouched: files.reduce((n, f) => n + f.traps.length, 0),
    diffMatches: files.length - mismatches.length,
    diffMismatches: mismatches,
  };
  return { summary, files };
}

/** One-line summary, stable for scripts and CI logs. */
export function formatSummary(s: ConformanceSummary): string {
  return `files=${s.files} refs-indexed=${s.refsIndexed} refs-found=${s.refsFound} refs-bumped=${s.refsBumped} refused=${s.refused} skipped=${s.skipped} traps-touched=${s.trapsTouched} diff-lines==refs=${s.diffMatches}/${s.files}`;
}

function formatTable(report: ConformanceReport): string {
  const rows = report.files.map((f) => {
    const name = f.file.length > 72 ? `…${f.file.slice(-71)}` : f.file;
    const notes = [...f.refused.map((r) => `refused: ${r}`), ...f.skipped.map((s) => `skipped: ${s}`), ...f.traps.map((t) => `TRAP: ${t}`)].map((n) => n.slice(0, 140));
    return [`${name.padEnd(72)} ${String(f.indexed).padStart(4)} ${String(f.found).padStart(5)} ${String(f.bumped).padStart(6)} ${String(f.diffLines).padStart(5)}`, ...notes.map((n) => `    ${n}`)].join("\n");
  });
  return [`${"file".padEnd(72)} ${"idx".padStart(4)} ${"found".padStart(5)} ${"bumped".padStart(6)} ${"diff".padStart(5)}`, ...rows].join("\n");
}

function main(argv: string[]): number {
  const outAt = argv.indexOf("--out");
  const out = outAt >= 0 ? argv[outAt + 1] ?? "conformance-report.json" : "conformance-report.json";
  const dir = resolve(argv.find((arg, i) => !arg.startsWith("--") && argv[i - 1] !== "--out") ?? "../shared/corpus");
  if (!existsSync(join(dir, "index.json"))) {
    console.error(`conformance: no index.json in ${dir}`);
    return 2;
  }
  const report = runConformance(dir);
  console.log(formatTable(report));
  console.log(formatSummary(report.summary));
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`report written to ${out}`);
  return report.summary.trapsTouched === 0 && report.summary.diffMismatches.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = main(process.argv.slice(2));
