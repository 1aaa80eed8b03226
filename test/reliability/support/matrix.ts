/**
 * The bookkeeping of a fault matrix: which (flow, request k, fault) cases ran, which passed, and why the
 * others failed, so one assertion per flow and fault can show every failing case at once.
 */

export interface CaseResult {
  flow: string;
  /** 0-based index of the request (or port call) that failed. */
  index: number;
  /** What that request was (GraphQL operation, REST route or port method). */
  request: string;
  fault: string;
  problems: string[];
}

/** Results of every case of a test file. */
export class MatrixTally {
  readonly results: CaseResult[] = [];

  add(result: CaseResult): void {
    this.results.push(result);
  }

  failures(flow?: string, fault?: string): CaseResult[] {
    return this.results.filter((r) => r.problems.length > 0 && (flow === undefined || r.flow === flow) && (fault === undefined || r.fault === fault));
  }

  /** `fault matrix: N cases tried, N passed (...)` — printed once per file. */
  summary(label: string): string {
    const flows = [...new Set(this.results.map((r) => r.flow))];
    const perFlow = flows.map((f) => `${f} ${this.results.filter((r) => r.flow === f).length}`).join(", ");
    return `fault matrix: ${this.results.length} cases tried, ${this.results.length - this.failures().length} passed (${label}: ${perFlow})`;
  }
}

/** Compares two JSON-able values; returns a short description of the first difference. */
export function diffJson(expected: unknown, actual: unknown, path = "$"): string | undefined {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return undefined;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return `${path}: ${expected.length} items expected, ${actual.length} found: ${JSON.stringify(actual).slice(0, 400)}`;
    for (let i = 0; i < expected.length; i++) {
      const d = diffJson(expected[i], actual[i], `${path}[${i}]`);
      if (d) return d;
    }
  }
  if (expected && actual && typeof expected === "object" && typeof actual === "object" && !Array.isArray(expected)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) {
      const d = diffJson((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${path}.${key}`);
      if (d) return d;
    }
  }
  if (typeof expected === "string" && typeof actual === "string") {
    let i = 0;
    while (i < expected.length && expected[i] === actual[i]) i++;
    const from = Math.max(0, i - 60);
    return `${path}: strings differ at ${i}: expected …${JSON.stringify(expected.slice(from, i + 200))}, found …${JSON.stringify(actual.slice(from, i + 200))}`;
  }
  return `${path}: expected ${JSON.stringify(expected)?.slice(0, 300)}, found ${JSON.stringify(actual)?.slice(0, 300)}`;
}
