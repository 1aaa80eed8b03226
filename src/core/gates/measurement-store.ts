/**
 * Where a metrics analysis keeps its measurements between evaluations ("state is in GitHub and git, no
 * database"): a hidden, machine-readable block at the top of the check run's summary that shows the
 * analysis (`stagegate/<gate>` on the PR head, or the verification check on a deployment's commit).
 * Pure: encode, decode (with validation: a block that does not fit is ignored, with the reason), retain.
 *
 *   <!-- stagegate:measurements v1 {"key":"<head sha | deployment id>","q":"<query fingerprint>","m":[[ms,value],[ms,0,"error"]]} -->
 */
import type { MeasurementFact } from "./facts.js";
import type { MetricSpec } from "./metric-spec.js";

/** Version written; a block of another version is ignored (the analysis starts over). */
export const MEASUREMENT_BLOCK_VERSION = 1;

/** Characters a block may take: GitHub keeps 65,535 of a check run summary, and the visible table follows. */
export const MAX_BLOCK_CHARS = 48_000;

/** Characters kept of an error measurement's message. */
const MAX_MESSAGE = 300;
/** Error measurements kept beyond what consecutiveErrorLimit needs (they only feed the table). */
const EXTRA_ERRORS = 3;
/** Clock skew tolerated between replicas before a measurement is "from the future". */
const FUTURE_SKEW_MS = 5 * 60_000;

const BLOCK = /<!-- stagegate:measurements v(\d+) ([^\n]*?) -->/;

/** What a block holds. `key` ties it to one PR head (or one deployment): a new head starts over. */
export interface MeasurementRecord {
  key: string;
  /** {@link metricFingerprint} of the metric the measurements were taken for. */
  fingerprint: string;
  measurements: MeasurementFact[];
}

/** The measurements read back, and why a block present in the text was not used. */
export interface ReadMeasurements {
  measurements: MeasurementFact[];
  /** Set when a block was found but ignored (the analysis starts over); shown on the check. */
  ignored?: string;
}

/** FNV-1a (32 bit) as 8 hex digits: detects a changed query, not an adversary (only Stagegate writes its checks). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/** Fingerprint of what is measured (address and query): measurements of another query are not reused. */
export function metricFingerprint(spec: Pick<MetricSpec, "prometheus">): string {
  return fnv1a(`${spec.prometheus?.address ?? ""}\n${spec.prometheus?.query ?? ""}`);
}

type Tuple = [number, unknown] | [number, 0, string];

function toTuple(m: MeasurementFact): Tuple {
  const ms = Date.parse(m.at);
  return m.phase === "error" ? [ms, 0, (m.message ?? "measurement failed").slice(0, MAX_MESSAGE)] : [ms, m.value ?? null];
}

/** The block for a record, on one line. `<` and `>` are escaped so no text can close the HTML comment. */
export function encodeMeasurementBlock(record: MeasurementRecord): string {
  const json = JSON.stringify({ key: record.key, q: record.fingerprint, m: record.measurements.map(toTuple) }).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
  return `<!-- stagegate:measurements v${MEASUREMENT_BLOCK_VERSION} ${json} -->`;
}

const SPECIAL = new Set(["NaN", "+Inf", "-Inf", "Inf"]);
const isSample = (v: unknown): boolean => (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && (SPECIAL.has(v) || (v.trim() !== "" && !Number.isNaN(Number(v)))));
const isValue = (v: unknown): boolean => isSample(v) || (Array.isArray(v) && v.every(isSample));

function parseTuples(raw: unknown, nowMs: number): MeasurementFact[] | string {
  if (!Array.isArray(raw)) return "the measurement list is missing";
  const out: MeasurementFact[] = [];
  for (const entry of raw) {
    if (!Array.isArray(entry) || typeof entry[0] !== "number" || !Number.isInteger(entry[0]) || entry[0] <= 0) return "a measurement has no valid time";
    if (entry[0] > nowMs + FUTURE_SKEW_MS) return "a measurement is dated in the future";
    const at = new Date(entry[0]).toISOString();
    if (entry.length === 3 && entry[1] === 0 && typeof entry[2] === "string") out.push({ at, phase: "error", message: entry[2].slice(0, MAX_MESSAGE) });
    else if (entry.length === 2 && isValue(entry[1])) out.push({ at, value: entry[1] });
    else return "a measurement has an invalid value";
  }
  return out;
}

/**
 * Reads the measurements stored in a check summary for `expected.key` and the metric's fingerprint.
 * No block: none taken yet. A block of another version, unreadable, for another head/deployment, of
 * another query, too long, or with invalid or future-dated entries is ignored with the reason: the
 * analysis starts over rather than trusting it.
 */
export function readMeasurementBlock(text: string | undefined, expected: { key: string; fingerprint: string; now: Date; maxEntries: number }): ReadMeasurements {
  const match = text === undefined ? null : BLOCK.exec(text);
  if (!match) return { measurements: [] };
  const ignore = (why: string): ReadMeasurements => ({ measurements: [], ignored: `stored measurements ignored (${why}); the analysis starts over` });
  if (Number(match[1]) !== MEASUREMENT_BLOCK_VERSION) return ignore(`block version ${match[1]} is not ${MEASUREMENT_BLOCK_VERSION}`);
  if (match[2]!.length > MAX_BLOCK_CHARS) return ignore("the block is too large");
  let parsed: unknown;
  try {
    parsed = JSON.parse(match[2]!);
  } catch {
    return ignore("the block is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return ignore("the block is not an object");
  const record = parsed as Record<string, unknown>;
  if (record["key"] !== expected.key) return ignore(`taken for ${typeof record["key"] === "string" ? record["key"].slice(0, 40) : "something else"}, not ${expected.key}`);
  if (record["q"] !== expected.fingerprint) return ignore("the query or Prometheus address changed");
  const measurements = parseTuples(record["m"], expected.now.getTime());
  if (typeof measurements === "string") return ignore(measurements);
  if (measurements.length > expected.maxEntries) return ignore(`${measurements.length} measurements, more than the ${expected.maxEntries} Stagegate keeps`);
  return { measurements };
}

/** Most measurements a block keeps for `spec`: every counted one (at most `count`) plus the recent errors. */
export function maxRetained(spec: Pick<MetricSpec, "count" | "consecutiveErrorLimit">): number {
  return spec.count + spec.consecutiveErrorLimit + 1 + EXTRA_ERRORS;
}

/**
 * Bounds the list: every non-error measurement is kept (they decide the counts, and the analysis ends
 * at `count` of them), errors only as far back as consecutiveErrorLimit needs plus a few for the table
 * (a dropped error between two good measurements changes no limit).
 */
export function retainMeasurements(spec: Pick<MetricSpec, "count" | "consecutiveErrorLimit">, measurements: readonly MeasurementFact[]): MeasurementFact[] {
  const sorted = [...measurements].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const keepErrors = spec.consecutiveErrorLimit + 1 + EXTRA_ERRORS;
  let errors = 0;
  const kept: MeasurementFact[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const m = sorted[i]!;
    if (m.phase === "error" && ++errors > keepErrors) continue;
    kept.push(m);
  }
  return kept.reverse().slice(-maxRetained(spec));
}

/**
 * Appends a measurement and bounds the list. A result too large to keep within {@link MAX_BLOCK_CHARS}
 * (a query returning thousands of series) is stored as an error measurement saying so.
 */
export function appendMeasurement(spec: Pick<MetricSpec, "count" | "consecutiveErrorLimit">, record: MeasurementRecord, measurement: MeasurementFact): MeasurementRecord {
  const next = { ...record, measurements: retainMeasurements(spec, [...record.measurements, measurement]) };
  const size = encodeMeasurementBlock(next).length;
  if (size <= MAX_BLOCK_CHARS) return next;
  const tooLarge: MeasurementFact = { at: measurement.at, phase: "error", message: `the result is too large to keep in the check run (${size} characters stored); aggregate the query (sum, max, topk)` };
  return { ...record, measurements: retainMeasurements(spec, [...record.measurements, tooLarge]) };
}
