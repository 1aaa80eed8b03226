/** Shared helpers for the editor tests: fixtures, byte-level variants and diff assertions. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { setImageDigest } from "../../../src/editors/index.js";
import type { Digest, EditRequest, EditResult, EditStatus } from "../../../src/editors/index.js";
import { countChangedLines, diffLines, splitLines } from "../../../src/editors/line-diff.js";

export const DIGEST: Digest = `sha256:${"d".repeat(64)}`;
export const IMAGE = "ghcr.io/acme/checkout";
export const FIXTURES = fileURLToPath(new URL("../../fixtures/editors/", import.meta.url));

/** Fixture text (written with LF and a final newline). */
export function readFixture(path: string): string {
  return readFileSync(`${FIXTURES}${path}`, "utf8");
}

/** Byte-level variants every case runs under: the edit must keep each of them. */
export const VARIANTS = {
  lf: (s: string) => s,
  crlf: (s: string) => s.replaceAll("\n", "\r\n"),
  bom: (s: string) => `\uFEFF${s}`,
  "no-final-newline": (s: string) => s.replace(/\n$/, ""),
  "crlf+bom+no-final-newline": (s: string) => `\uFEFF${s.replaceAll("\n", "\r\n").replace(/\r\n$/, "")}`,
} satisfies Record<string, (s: string) => string>;
export type Variant = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as Variant[];

/** One row of an editor table. */
export interface EditCase {
  name: string;
  fixture: string;
  /** File name given to the editor (defaults to the fixture's base name). */
  fileName?: string;
  request?: Partial<EditRequest>;
  status: EditStatus;
  /** Expected text of every changed or added line, by 1-based line number of the new file. */
  lines?: Array<[number, string]>;
  reason?: RegExp;
  previousDigests?: string[];
}

/** Run a case under a variant and check it byte by byte. */
export function runCase(c: EditCase, variant: Variant): EditResult {
  const content = VARIANTS[variant](readFixture(c.fixture));
  const request: EditRequest = { image: IMAGE, digest: DIGEST, ...c.request };
  const fileName = c.fileName ?? c.fixture.split("/").pop() ?? c.fixture;
  const result = setImageDigest(fileName, content, request);
  expect({ status: result.status, reason: result.reason }).toMatchObject({ status: c.status });
  if (c.reason) expect(result.reason).toMatch(c.reason);
  if (result.status !== "changed") {
    expect(result.content).toBe(content);
    expect(result.patch).toEqual([]);
    return result;
  }
  // Line endings are checked below; the diff compares lines without them so that appending
  // after a last line that had no line break (which must gain one) counts as one added line.
  const diff = diffLines(content.replaceAll("\r\n", "\n"), result.content.replaceAll("\r\n", "\n"));
  const newLines = splitLines(result.content.replaceAll("\r\n", "\n"));
  const expected = c.lines ?? [];
  expect(diff.added).toEqual(expected.map(([line]) => line));
  expect(diff.added.map((line) => newLines[line - 1]?.replace(/^\uFEFF/, ""))).toEqual(expected.map(([, text]) => text));
  // A removed line is reported at the line that takes its place, so lines may repeat.
  expect([...new Set(result.changes.map((change) => change.line))].sort((a, b) => a - b)).toEqual(expected.map(([line]) => line));
  expect(countChangedLines(diff)).toBe(result.changes.length);
  // Byte-level invariants of the variant survive the edit.
  expect(result.content.startsWith("\uFEFF")).toBe(content.startsWith("\uFEFF"));
  expect(result.content.endsWith("\n")).toBe(content.endsWith("\n"));
  expect(result.content.replaceAll("\r\n", "").includes("\n")).toBe(content.replaceAll("\r\n", "").includes("\n"));
  if (c.previousDigests) expect(result.previousDigests).toEqual(c.previousDigests);
  // Idempotent: the same request again changes nothing.
  const again = setImageDigest(fileName, result.content, request);
  expect(again.status).toBe("unchanged");
  expect(again.content).toBe(result.content);
  return result;
}

/** Cartesian product of cases and variants for `it.each`. */
export function withVariants(cases: EditCase[]): Array<[string, Variant, EditCase]> {
  return cases.flatMap((c) => VARIANT_NAMES.map((v): [string, Variant, EditCase] => [c.name, v, c]));
}
