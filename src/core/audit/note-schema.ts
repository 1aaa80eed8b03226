import { z } from "zod";

/**
 * The evidence note Stagegate attaches to a merge commit under `refs/notes/stagegate`, as the audit
 * reads it. It is the PR's evidence block (src/core/evidence/schema.ts) plus what happened at and
 * after the merge: gate results, approvals given, overrides, who merged, deployments.
 *
 * The reader is deliberately lenient (loose objects, optional fields, a few accepted spellings):
 * notes written by older or newer Stagegate versions must still be read, and an auditor's report
 * must not fail on a field it does not use. Only the identity of the change is required.
 */
const text = z.string().max(2000);
const login = z.string().max(200);

const sourceSchema = z.looseObject({
  repo: text.optional(),
  sha: text.optional(),
  author: login.optional(),
  committedAt: text.optional(),
});

/** An approval given (a review), or a requirement (count/teams): the audit keeps the former. */
const approvalSchema = z.looseObject({
  reviewer: login.optional(),
  user: login.optional(),
  at: text.optional(),
  count: z.number().optional(),
});

const gateSchema = z.looseObject({
  name: text,
  result: text.optional(),
  conclusion: text.optional(),
  summary: text.optional(),
});

const overrideSchema = z.looseObject({
  gate: text,
  by: login,
  reason: text.default(""),
  at: text.optional(),
  secondBy: login.optional(),
});

const deploymentSchema = z.looseObject({
  id: z.union([z.number(), z.string()]).optional(),
  environment: text.optional(),
  state: text.optional(),
  result: text.optional(),
  at: text.optional(),
});

export const auditNoteSchema = z.looseObject({
  version: z.number().optional(),
  kind: z.enum(["promotion", "rollback"]).optional(),
  service: text,
  environment: text,
  from: text.optional(),
  requestedBy: login.optional(),
  reason: text.optional(),
  artifact: z.looseObject({
    digest: text,
    image: text.optional(),
    tag: text.optional(),
    source: sourceSchema.optional(),
  }),
  previous: z.array(z.looseObject({ digest: text })).optional(),
  pullRequest: z.looseObject({ number: z.number().int(), author: login.optional(), url: text.optional() }).optional(),
  gates: z.array(gateSchema).optional(),
  approvals: z.array(approvalSchema).optional(),
  overrides: z.array(overrideSchema).optional(),
  mergedBy: login.optional(),
  mergedAt: text.optional(),
  deployments: z.array(deploymentSchema).optional(),
});

export type AuditNote = z.infer<typeof auditNoteSchema>;

/**
 * Splits note text into its JSON values. Stagegate appends to notes (`git notes append`: parts joined
 * by a blank line), e.g. the merge evidence first and deployment results later.
 */
export function splitJsonValues(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0 && start >= 0) {
        parts.push(text.slice(start, i + 1));
        start = -1;
      }
    } else if (depth === 0 && !/\s/.test(c ?? "")) {
      // Text outside any JSON value: not a Stagegate note.
      return [text];
    }
  }
  if (depth !== 0 || parts.length === 0) return [text];
  return parts;
}

/**
 * The JSON values of a note, fast: one value, or values joined by blank lines (compact and pretty
 * JSON hold no blank line); the character scanner only for anything else. Throws on invalid JSON.
 */
function noteValues(text: string): unknown[] {
  // One JSON value without a blank line (the common note before any append): no split at all.
  if (!text.includes("\n\n") && !BLANK_LINE.test(text)) return [JSON.parse(text) as unknown];
  // Exceptions are costly at 10k notes: pick the likely shape first instead of trying and failing.
  const parts = text.split(BLANK_LINE);
  try {
    return parts.map((part) => JSON.parse(part) as unknown);
  } catch (error) {
    if (parts.length === 1) throw error;
    return splitJsonValues(text).map((part) => JSON.parse(part) as unknown);
  }
}

const BLANK_LINE = /\n[ \t\r]*\n/;

/** Arrays that accumulate across appended parts; other fields take the last part's value. */
const APPENDED_ARRAYS = new Set(["deployments", "approvals", "overrides"]);

/** Parses note text (one or more appended JSON objects); `{ error }` with a short reason when invalid. */
export function parseNote(raw: string): { note: AuditNote } | { error: string } {
  let values: unknown[];
  try {
    values = noteValues(raw.trim());
  } catch (error) {
    return { error: `not JSON (${(error as Error).message})` };
  }
  for (const json of values) if (!isObject(json)) return { error: "not a JSON object" };
  // The first part (a fresh object from JSON.parse) takes the later ones: no copy of a note per note.
  const merged = values[0] as Record<string, unknown>;
  for (let i = 1; i < values.length; i++) {
    const part = values[i] as Record<string, unknown>;
    for (const key of Object.keys(part)) {
      const value = part[key];
      const before = Object.hasOwn(merged, key) ? merged[key] : undefined;
      const next = APPENDED_ARRAYS.has(key) && Array.isArray(before) && Array.isArray(value) ? before.concat(value) : value;
      // An own data property even for `__proto__`, as JSON.parse makes it (`=` would set the prototype).
      if (key === "__proto__") Object.defineProperty(merged, key, { value: next, writable: true, enumerable: true, configurable: true });
      else merged[key] = next;
    }
  }
  return validateNote(merged);
}

/**
 * The schema check, fast: a note that passes {@link isPlainNote} is exactly what the schema accepts
 * (its strings, numbers and objects are used as they are, with the one default filled in), so zod
 * runs only for notes that fail it, to accept what it accepts or name the first problem. Validating
 * 10,000 notes with zod was the audit's largest cost.
 */
function validateNote(value: Record<string, unknown>): { note: AuditNote } | { error: string } {
  if (isPlainNote(value)) return { note: value as AuditNote };
  const parsed = auditNoteSchema.safeParse(value);
  if (parsed.success) return { note: parsed.data };
  const first = parsed.error.issues[0];
  return { error: `not an evidence note: ${first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "invalid"}` };
}

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const isText = (v: unknown): boolean => typeof v === "string" && v.length <= 2000;
const isLogin = (v: unknown): boolean => typeof v === "string" && v.length <= 200;
const optText = (v: unknown): boolean => v === undefined || isText(v);
const optLogin = (v: unknown): boolean => v === undefined || isLogin(v);
const optNumber = (v: unknown): boolean => v === undefined || (typeof v === "number" && Number.isFinite(v));
/** `v` undefined, or an array of objects each of which passes `item`. */
function optArray(v: unknown, item: (o: Obj) => boolean): boolean {
  if (v === undefined) return true;
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const o: unknown = v[i];
    if (!isObject(o) || !item(o)) return false;
  }
  return true;
}
const isSource = (s: unknown): boolean => s === undefined || (isObject(s) && optText(s.repo) && optText(s.sha) && optLogin(s.author) && optText(s.committedAt));
const isPrevious = (o: Obj): boolean => isText(o.digest);
const isGate = (o: Obj): boolean => isText(o.name) && optText(o.result) && optText(o.conclusion) && optText(o.summary);
const isApproval = (o: Obj): boolean => optLogin(o.reviewer) && optLogin(o.user) && optText(o.at) && optNumber(o.count);
const isOverride = (o: Obj): boolean => isText(o.gate) && isLogin(o.by) && optText(o.reason) && optText(o.at) && optLogin(o.secondBy);
const isDeployment = (o: Obj): boolean => (o.id === undefined || typeof o.id === "string" || (typeof o.id === "number" && Number.isFinite(o.id))) && optText(o.environment) && optText(o.state) && optText(o.result) && optText(o.at);
/**
 * Mirrors {@link auditNoteSchema} field for field (a unit test holds the two in step, and holds this to
 * the combinator version it replaced). Straight-line checks: the combinators' calls through a map of
 * closures took 13–20 ms per 10,000 notes, this takes 4–6.
 */
function isNoteShape(v: unknown): boolean {
  if (!isObject(v)) return false;
  const kind = v.kind;
  const artifact = v.artifact;
  const pr = v.pullRequest;
  return (
    optNumber(v.version) &&
    (kind === undefined || kind === "promotion" || kind === "rollback") &&
    isText(v.service) &&
    isText(v.environment) &&
    optText(v.from) &&
    optLogin(v.requestedBy) &&
    optText(v.reason) &&
    isObject(artifact) && isText(artifact.digest) && optText(artifact.image) && optText(artifact.tag) && isSource(artifact.source) &&
    optArray(v.previous, isPrevious) &&
    (pr === undefined || (isObject(pr) && Number.isSafeInteger(pr.number) && optLogin(pr.author) && optText(pr.url))) &&
    optArray(v.gates, isGate) &&
    optArray(v.approvals, isApproval) &&
    optArray(v.overrides, isOverride) &&
    optLogin(v.mergedBy) &&
    optText(v.mergedAt) &&
    optArray(v.deployments, isDeployment)
  );
}

/** True when `value` passes the note schema as is; fills the schema's one default (override reason ""). */
export function isPlainNote(value: Record<string, unknown>): boolean {
  if (!isNoteShape(value)) return false;
  const overrides = value.overrides as Record<string, unknown>[] | undefined;
  for (const override of overrides ?? []) override.reason ??= "";
  return true;
}
