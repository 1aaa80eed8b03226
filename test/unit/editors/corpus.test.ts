/**
 * Conformance over the shared corpus of real manifests (not part of the repo: its files keep
 * their own licences). Skips when the corpus is not checked out next to the project.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatSummary, runConformance } from "../../../scripts/conformance.js";

const CORPUS = fileURLToPath(new URL("../../../../shared/corpus/", import.meta.url));
const hasCorpus = existsSync(`${CORPUS}index.json`);
if (!hasCorpus) console.warn(`corpus conformance skipped: no ${CORPUS}index.json`);

describe("corpus conformance", () => {
  it.skipIf(!hasCorpus)("touches no trap and changes exactly one line per bumped reference", { timeout: 180_000 }, () => {
    const report = runConformance(CORPUS);
    console.info(formatSummary(report.summary));
    expect(report.files.flatMap((f) => f.traps.map((t) => `${f.file}: ${t}`))).toEqual([]);
    expect(report.files.filter((f) => f.diffLines !== f.bumped).map((f) => `${f.file}: ${f.diffLines} lines for ${f.bumped} refs`)).toEqual([]);
    expect(report.summary.refused).toBe(0);
    // Floors, so a regression in discovery shows up (raise them when the editors improve).
    expect(report.summary.refsFound).toBeGreaterThanOrEqual(240);
    expect(report.summary.refsBumped).toBeGreaterThanOrEqual(220);
  });
});
