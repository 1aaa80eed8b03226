import { describe, expect, it } from "vitest";
import type { MeasurementFact } from "../../../src/core/gates/facts.js";
import {
  appendMeasurement,
  encodeMeasurementBlock,
  MAX_BLOCK_CHARS,
  maxRetained,
  metricFingerprint,
  readMeasurementBlock,
  retainMeasurements,
} from "../../../src/core/gates/measurement-store.js";

const NOW = new Date("2026-03-02T10:10:00Z");
const SPEC = { count: 3, consecutiveErrorLimit: 1, prometheus: { address: "http://prom:9090", query: "up" } };
const FP = metricFingerprint(SPEC);
const at = (minute: number) => `2026-03-02T10:0${minute}:00.000Z`;
const read = (text: string | undefined, key = "a".repeat(40)) => readMeasurementBlock(text, { key, fingerprint: FP, now: NOW, maxEntries: maxRetained(SPEC) });

describe("measurement block", () => {
  it("round-trips values, Prometheus specials and errors, hidden in one HTML comment line", () => {
    const measurements: MeasurementFact[] = [
      { at: at(1), value: [0.99, "NaN"] },
      { at: at(2), value: "+Inf" },
      { at: at(3), phase: "error", message: "timed out --> <script>" },
    ];
    const block = encodeMeasurementBlock({ key: "a".repeat(40), fingerprint: FP, measurements });
    expect(block).toMatch(/^<!-- stagegate:measurements v1 \{.*\} -->$/);
    // The message cannot close the comment early.
    expect(block.indexOf("-->")).toBe(block.length - 3);
    expect(read(`${block}\n\nMetric table…`)).toEqual({ measurements });
  });

  it("reads nothing (and says nothing) when no block is present", () => {
    expect(read(undefined)).toEqual({ measurements: [] });
    expect(read("No measurement yet.")).toEqual({ measurements: [] });
  });

  it.each([
    ["another version", `<!-- stagegate:measurements v2 {} -->`, /version 2/],
    ["bad JSON", `<!-- stagegate:measurements v1 {"key": -->`, /not valid JSON/],
    ["another head", encodeMeasurementBlock({ key: "b".repeat(40), fingerprint: FP, measurements: [] }), /taken for b{40}/],
    ["another query", encodeMeasurementBlock({ key: "a".repeat(40), fingerprint: "00000000", measurements: [] }), /query or Prometheus address changed/],
    ["a future date", `<!-- stagegate:measurements v1 {"key":"${"a".repeat(40)}","q":"${FP}","m":[[${Date.parse("2026-03-03T00:00:00Z")},1]]} -->`, /dated in the future/],
    ["an invalid value", `<!-- stagegate:measurements v1 {"key":"${"a".repeat(40)}","q":"${FP}","m":[[${Date.parse(at(1))},{"x":1}]]} -->`, /invalid value/],
    ["a forged phase", `<!-- stagegate:measurements v1 {"key":"${"a".repeat(40)}","q":"${FP}","m":[[${Date.parse(at(1))},1,"x"]]} -->`, /invalid value/],
    ["too many entries", encodeMeasurementBlock({ key: "a".repeat(40), fingerprint: FP, measurements: Array.from({ length: 20 }, (_, i) => ({ at: new Date(Date.parse(at(0)) + i * 1000).toISOString(), value: 1 })) }), /more than the 8/],
  ])("ignores a block with %s, with the reason", (_what, text, reason) => {
    const result = read(text);
    expect(result.measurements).toEqual([]);
    expect(result.ignored).toMatch(reason);
    expect(result.ignored).toMatch(/the analysis starts over/);
  });

  it("keeps every counted measurement and only the recent errors", () => {
    const list: MeasurementFact[] = [
      { at: at(0), phase: "error", message: "e0" },
      { at: at(1), value: 1 },
      { at: at(2), phase: "error", message: "e2" },
      { at: at(3), phase: "error", message: "e3" },
      { at: at(4), phase: "error", message: "e4" },
      { at: at(5), phase: "error", message: "e5" },
      { at: at(6), phase: "error", message: "e6" },
      { at: at(7), value: 2 },
    ];
    // consecutiveErrorLimit 1 → 2 errors needed + 3 for the table = 5 errors kept, the oldest dropped.
    expect(retainMeasurements(SPEC, list).map((m) => m.message ?? m.value)).toEqual([1, "e2", "e3", "e4", "e5", "e6", 2]);
  });

  it("stores a result too large for the check run as an error measurement saying why", () => {
    const huge = Array.from({ length: MAX_BLOCK_CHARS / 4 }, (_, i) => i);
    const record = appendMeasurement(SPEC, { key: "k", fingerprint: FP, measurements: [] }, { at: at(1), value: huge });
    expect(record.measurements).toEqual([{ at: at(1), phase: "error", message: expect.stringMatching(/too large to keep.*aggregate the query/) }]);
    expect(encodeMeasurementBlock(record).length).toBeLessThan(1000);
  });
});
