/**
 * Editor throughput: files/s and refs/s for full bumps (find every image, set a digest on
 * each, proofs included) over the shared corpus, when present, and over our own fixtures.
 *   tsx bench/editors.ts          (bench/run.ts imports runEditorBench)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { findImageReferences, setImageDigest } from "../src/editors/index.js";
import type { Digest } from "../src/editors/index.js";

const DIGEST: Digest = `sha256:${"be".repeat(32)}`;
const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Figures for one set of files. */
export interface EditorBenchSet {
  name: string;
  files: number;
  refs: number;
  iterations: number;
  durationMs: number;
  filesPerSecond: number;
  refsPerSecond: number;
}

/** Result consumed by bench/run.ts. Top-level figures are over every set measured. */
export interface EditorBenchResult {
  name: "editors";
  files: number;
  refs: number;
  durationMs: number;
  filesPerSecond: number;
  refsPerSecond: number;
  sets: EditorBenchSet[];
  skipped: string[];
}

export interface EditorBenchOptions {
  corpusDir?: string;
  fixturesDir?: string;
  /** Minimum measuring time per set; iterations repeat until it is reached. */
  minDurationMs?: number;
}

interface BenchFile { fileName: string; content: string }

/** Bump every image of every file once; returns the number of references changed. */
function bumpAll(files: BenchFile[]): number {
  let refs = 0;
  for (const { fileName, content } of files) {
    let current = content;
    for (const image of new Set(findImageReferences(fileName, content).map((r) => r.image))) {
      const result = setImageDigest(fileName, current, { image, digest: DIGEST });
      if (result.status === "changed") {
        refs += result.changes.length;
        current = result.content;
      }
    }
  }
  return refs;
}

function measure(name: string, files: BenchFile[], minDurationMs: number): EditorBenchSet {
  bumpAll(files); // warm-up: JIT and module loading are not what we measure
  let iterations = 0;
  let refs = 0;
  const start = performance.now();
  do {
    refs += bumpAll(files);
    iterations++;
  } while (performance.now() - start < minDurationMs);
  const durationMs = performance.now() - start;
  const seconds = durationMs / 1000;
  return { name, files: files.length, refs: refs / iterations, iterations, durationMs, filesPerSecond: (files.length * iterations) / seconds, refsPerSecond: refs / seconds };
}

function corpusFiles(dir: string): BenchFile[] {
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as Array<{ file: string; path?: string }>;
  return index.map((entry) => ({ fileName: entry.path ?? entry.file, content: readFileSync(join(dir, entry.file), "utf8") }));
}

function fixtureFiles(dir: string): BenchFile[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((path) => /\.ya?ml$/.test(path))
    .map((path) => ({ fileName: path.startsWith("kustomize/") ? "kustomization.yaml" : path, content: readFileSync(join(dir, path), "utf8") }));
}

/** Run the editor benchmark (the corpus set is skipped with a message when absent). */
export function runEditorBench(options: EditorBenchOptions = {}): EditorBenchResult {
  const corpusDir = options.corpusDir ?? resolve(ROOT, "../shared/corpus");
  const fixturesDir = options.fixturesDir ?? join(ROOT, "test/fixtures/editors");
  const minDurationMs = options.minDurationMs ?? 2000;
  const sets: EditorBenchSet[] = [];
  const skipped: string[] = [];
  if (existsSync(join(corpusDir, "index.json"))) sets.push(measure("corpus", corpusFiles(corpusDir), minDurationMs));
  else skipped.push(`corpus: no index.json in ${corpusDir}`);
  sets.push(measure("fixtures", fixtureFiles(fixturesDir), minDurationMs));
  const seconds = sets.reduce((s, set) => s + set.durationMs, 0) / 1000;
  const fileRuns = sets.reduce((s, set) => s + set.files * set.iterations, 0);
  const refRuns = sets.reduce((s, set) => s + set.refs * set.iterations, 0);
  return {
    name: "editors",
    files: sets.reduce((s, set) => s + set.files, 0),
    refs: sets.reduce((s, set) => s + set.refs, 0),
    durationMs: seconds * 1000,
    filesPerSecond: fileRuns / seconds,
    refsPerSecond: refRuns / seconds,
    sets,
    skipped,
  };
}

/** Human-readable lines for a result. */
export function formatEditorBench(result: EditorBenchResult): string {
  const lines = result.sets.map((s) => `editors/${s.name}: ${s.files} files, ${s.refs} refs, ${s.iterations} runs: ${s.filesPerSecond.toFixed(1)} files/s, ${s.refsPerSecond.toFixed(1)} refs/s`);
  lines.push(...result.skipped.map((reason) => `editors: skipped ${reason}`));
  lines.push(`editors: ${result.filesPerSecond.toFixed(1)} files/s, ${result.refsPerSecond.toFixed(1)} refs/s overall`);
  return lines.join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(formatEditorBench(runEditorBench()));
}
