/**
 * Shared pieces of the hostile-input suites: arbitraries that look like what attackers send (near-valid
 * structure with hostile content, huge repetitions, control characters, YAML/HTML/markdown syntax), and a
 * timing guard. Runs are bounded and seeded so a failure reproduces.
 */
import fc from "fast-check";

/** Per-input budget; generous so a loaded CI machine does not flake (typical inputs take < 5 ms). */
export const MAX_MS_PER_INPUT = 2000;

/** fast-check parameters of every suite (override the count with FUZZ_RUNS). */
export const FUZZ = { numRuns: Number(process.env["FUZZ_RUNS"] ?? 300), seed: 4242 };

const syntax = ["{", "}", "[", "]", ":", "- ", "&a ", "*a", "<<: *a", "!!binary ", "---\n", "...\n", "'", '"', "\\", "#", "|\n", ">\n", "\t", "\r\n", "\u0000", "\u2028", "\uFEFF", "<!--", "-->", "`", "${", "{{", "}}", "sha256:", "@", "/", "..", "%", "&", "=", "(", ")", "*", "+", "?"];

/** Strings mixing structural characters, unicode and repetitions (the ingredients of parser crashes and ReDoS). */
export const hostileString = (maxLength = 400): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength, unit: "grapheme" }),
    fc.array(fc.constantFrom(...syntax), { maxLength: 60 }).map((parts) => parts.join("")),
    fc.tuple(fc.constantFrom(...syntax, "a", " ", "0"), fc.integer({ min: 1, max: 5000 })).map(([s, n]) => s.repeat(n)),
  );

/** Measures one call; returns its duration in ms. */
export function timed(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** Same, for async calls. */
export async function timedAsync(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/** Slowest input of a suite, for the summary each suite prints. */
export class Slowest {
  ms = 0;
  runs = 0;
  note(ms: number): void {
    this.runs++;
    if (ms > this.ms) this.ms = ms;
  }
}
