/**
 * Reading Stagegate's commit trailers. Keys are compared case-insensitively (git does), so the
 * parsed map is keyed by lowercase key. Formats are those the promotion and merge commits write.
 */
import { scanTrailers } from "../evidence/trailers.js";
import { append, tight } from "../tight-list.js";
import type { GateResult } from "./types.js";

/** Trailer keys the audit reads (lowercase). */
export const TRAILER = {
  service: "stagegate-service",
  environment: "stagegate-environment",
  image: "stagegate-image",
  previous: "stagegate-previous",
  source: "stagegate-source",
  from: "stagegate-from",
  kind: "stagegate-kind",
  tag: "stagegate-tag",
  approvedBy: "stagegate-approved-by",
  gates: "stagegate-gates",
  override: "stagegate-override",
  pr: "stagegate-pr",
  mergedBy: "stagegate-merged-by",
} as const;

/**
 * A commit's trailers as one flat list: lowercase key, value, key, value… in message order. One array
 * per commit rather than an object and an array per key: the audit holds tens of thousands of commits,
 * and every object it keeps is copied by the garbage collector until it settles in the old generation.
 */
export type Trailers = readonly string[];

/**
 * The trailers of a raw commit message (`%B`, or a commit object's text after its header), exactly as
 * `git log --format='%(trailers:only,unfold)'` lists them (rules in src/core/evidence/trailers.ts),
 * keys lowercased, values in order.
 */
export function parseMessageTrailers(message: string): Trailers {
  // Collected in one reused buffer, then copied to a list of their size: the list lives as long as the history.
  SCANNED.length = 0;
  scanTrailers(message, collect);
  return tight(SCANNED);
}

const SCANNED: string[] = [];
const collect = (key: string, value: string): void => void SCANNED.push(lowerKey(key), value);

/** Lowercase keys already seen, by key as written (bounded: keys are free text). */
const LOWER = new Map<string, string>();

/** `key.toLowerCase()`, the same string for the same key (Stagegate's few keys recur on every commit). */
function lowerKey(key: string): string {
  let lower = LOWER.get(key);
  if (lower === undefined) {
    // Stagegate's keys become the TRAILER constants themselves: every lookup (`trailers[i] === TRAILER.x`,
    // ~10 per row) is then a pointer comparison, not a comparison of characters.
    lower = key.toLowerCase();
    lower = CANONICAL.get(lower) ?? lower;
    if (LOWER.size < 256) LOWER.set(key, lower);
  }
  return lower;
}

const CANONICAL = new Map<string, string>(Object.values(TRAILER).map((key) => [key, key]));

/** Trailers from lowercase key → values (tests, callers holding a map). */
export function trailersFrom(values: Readonly<Record<string, readonly string[]>>): Trailers {
  const out: string[] = [];
  for (const [key, list] of Object.entries(values)) for (const value of list) out.push(key.toLowerCase(), value);
  return out;
}

/** First value of a trailer (`key` lowercase). */
export function trailer(trailers: Trailers, key: string): string | undefined {
  for (let i = 0; i < trailers.length; i += 2) if (trailers[i] === key) return trailers[i + 1];
  return undefined;
}

/** Every value of a trailer (`key` lowercase), in order. */
export function trailerValues(trailers: Trailers, key: string): readonly string[] {
  let out: string[] | undefined;
  for (let i = 0; i < trailers.length; i += 2) if (trailers[i] === key) (out ??= []).push(trailers[i + 1]!);
  return out ?? NO_VALUES;
}

const NO_VALUES: readonly string[] = Object.freeze([]);

/** True when the trailers hold `key` (lowercase). */
export function hasTrailer(trailers: Trailers, key: string): boolean {
  return trailer(trailers, key) !== undefined;
}

/**
 * Trailers of several sources, the first source holding a key giving all its values (what
 * `Object.assign` of key → values maps from last to first would give).
 */
export function overlayTrailers(sources: readonly Trailers[]): Trailers {
  const out: string[] = [];
  for (let s = 0; s < sources.length; s++) {
    const source = sources[s]!;
    for (let i = 0; i < source.length; i += 2) {
      const key = source[i]!;
      let earlier = false;
      for (let t = 0; t < s && !earlier; t++) earlier = hasTrailer(sources[t]!, key);
      if (!earlier) out.push(key, source[i + 1]!);
    }
  }
  return out;
}

/** Splits `image@sha256:…` into image and digest. */
export function splitImage(value: string): { image: string; digest?: string } {
  const at = value.indexOf("@");
  if (at < 0) return { image: value };
  return { image: value.slice(0, at), digest: value.slice(at + 1) };
}

const GATE_RESULTS = new Set<string>(["success", "failure", "neutral", "in_progress", "overridden", "skipped"] satisfies GateResult[]);

/** Normalises a gate result word (check-run conclusions included) to a {@link GateResult}. */
export function toGateResult(word: string | undefined): GateResult {
  // Words Stagegate writes are already normal: trimming, lowercasing and `-` → `_` would not change them.
  if (word !== undefined && GATE_RESULTS.has(word)) return word as GateResult;
  const w = (word ?? "").trim().toLowerCase().replace(/-/g, "_");
  if (GATE_RESULTS.has(w)) return w as GateResult;
  if (w === "passed" || w === "pass") return "success";
  if (w === "failed" || w === "fail" || w === "timed_out" || w === "cancelled" || w === "action_required") return "failure";
  if (w === "pending" || w === "queued") return "in_progress";
  return "unknown";
}

/**
 * Parses `Stagegate-Gates: upstream=success, soak=success, approvals=overridden`: comma-separated
 * parts, each `name=result` (a part without a name is skipped; text after a second `=` is ignored).
 * Scans by index instead of splitting, as it runs for every promotion of a long history.
 */
export function parseGates(values: readonly string[]): { name: string; result: GateResult }[] {
  let out: { name: string; result: GateResult }[] | undefined;
  for (const value of values) {
    let start = 0;
    while (start <= value.length) {
      let end = value.indexOf(",", start);
      if (end < 0) end = value.length;
      const eq = indexOfBefore(value, EQUALS, start, end);
      const name = value.slice(start, eq < 0 ? end : eq).trim();
      if (name) {
        const eq2 = eq < 0 ? -1 : indexOfBefore(value, EQUALS, eq + 1, end);
        const result = eq < 0 ? undefined : value.slice(eq + 1, eq2 < 0 ? end : eq2).trim();
        out = append(out, { name, result: toGateResult(result) });
      }
      start = end + 1;
    }
  }
  return out ?? [];
}

const EQUALS = 61;

/** Index of the character `code` in text[from, to), or -1. */
function indexOfBefore(text: string, code: number, from: number, to: number): number {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === code) return i;
  return -1;
}

/** Parses `Stagegate-Override: <gate> by <user>: <reason>`; undefined when malformed. */
export function parseOverride(value: string): { gate: string; by: string; reason: string } | undefined {
  const match = /^(\S+)\s+by\s+@?([^\s:]+)\s*:?\s*(.*)$/.exec(value.trim());
  if (!match) return undefined;
  return { gate: match[1] ?? "", by: match[2] ?? "", reason: (match[3] ?? "").trim() };
}

/** A PR number from `#12`, `12`, a merge subject `Merge pull request #12 from …` or a squash subject `… (#12)`. */
export function parsePrNumber(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const plain = plainPrNumber(value.trim());
  if (plain !== undefined) return plain;
  const match = /^Merge pull request #(\d+)\b/.exec(value) ?? /\(#(\d+)\)\s*$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

/** Strips a leading `@` and lowercases a login, so identities compare as GitHub does. */
export function normaliseLogin(login: string): string {
  const trimmed = login.trim();
  return (trimmed.charCodeAt(0) === AT ? trimmed.slice(1) : trimmed).toLowerCase();
}

const AT = 64;
const HASH = 35;

/** `12` or `#12` (what Stagegate-PR holds), as /^#?(\d+)$/ reads it but without a regex; undefined for anything else. */
function plainPrNumber(text: string): number | undefined {
  const from = text.charCodeAt(0) === HASH ? 1 : 0;
  if (text.length <= from) return undefined;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return Number(text.slice(from));
}
