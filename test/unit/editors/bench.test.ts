import { describe, expect, it } from "vitest";
import { formatEditorBench, runEditorBench } from "../../../bench/editors.js";

describe("editor bench", () => {
  it("returns the figures bench/run.ts reads, and skips a missing corpus with a message", () => {
    const result = runEditorBench({ corpusDir: "/nonexistent-corpus", minDurationMs: 1 });
    expect(result).toMatchObject({ name: "editors", skipped: [expect.stringMatching(/corpus: no index.json/)] });
    expect(result.files).toBeGreaterThan(20);
    expect(result.refs).toBeGreaterThan(30);
    expect(result.filesPerSecond).toBeGreaterThan(0);
    expect(result.refsPerSecond).toBeGreaterThan(0);
    expect(formatEditorBench(result)).toMatch(/files\/s/);
  });
});
