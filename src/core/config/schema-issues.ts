import type { z } from "zod";
import type { Diagnostic } from "./loaded.js";
import { diagnosticAt, formatPath, valueAt } from "./locate.js";
import type { DataPath, SourceFile } from "./locate.js";

/**
 * Turns zod issues into located diagnostics whose messages name the field, the value and the fix.
 * zod's own messages ("Invalid input") are written for developers; these are for the people who
 * edit stagegate.yaml.
 */

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

/** A short, quoted rendering of a user value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function typeName(expected: string): string {
  return ({ array: "a list", object: "a map", string: "a string", number: "a number", boolean: "true or false", int: "an integer" } as Record<string, string>)[expected] ?? expected;
}

/** Levenshtein distance, bounded inputs (keys are short). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest candidate to `word` when it is plausibly a typo of it. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) {
      best = c;
      bestScore = d;
    }
  }
  return best !== undefined && bestScore <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  valueType?: AnySchema;
  options?: AnySchema[];
  discriminator?: string;
}

function defOf(schema: AnySchema): Def {
  return schema._zod.def as unknown as Def;
}

function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(current);
    if ((def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "prefault" || def.type === "readonly") && def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else break;
  }
  return current;
}

/** The object keys the schema allows at `path` of `data` (follows discriminated unions by the data). */
function allowedKeysAt(root: AnySchema, data: unknown, path: DataPath): string[] {
  let schema: AnySchema | undefined = unwrap(root);
  const pickOption = (s: AnySchema, value: unknown): AnySchema | undefined => {
    const def = defOf(s);
    if (def.type !== "union" || !def.options) return s;
    if (def.discriminator && value && typeof value === "object") {
      const wanted = (value as Record<string, unknown>)[def.discriminator];
      return def.options.find((o) => {
        const literal = defOf(unwrap(o)).shape?.[def.discriminator as string];
        return literal !== undefined && (defOf(literal) as unknown as { values?: unknown[] }).values?.includes(wanted);
      });
    }
    // Plain union of objects: pick the option sharing most keys with the data.
    const keys = value && typeof value === "object" ? Object.keys(value) : [];
    let best: AnySchema | undefined;
    let bestScore = -1;
    for (const o of def.options) {
      const shape = defOf(unwrap(o)).shape ?? {};
      const score = keys.filter((k) => k in shape).length;
      if (score > bestScore) [best, bestScore] = [o, score];
    }
    return best;
  };
  for (let i = 0; i <= path.length && schema; i++) {
    schema = pickOption(unwrap(schema), valueAt(data, path.slice(0, i)));
    if (!schema) return [];
    schema = unwrap(schema);
    if (i === path.length) break;
    const def = defOf(schema);
    const segment = path[i];
    if (def.type === "object") schema = def.shape?.[String(segment)];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return [];
  }
  if (!schema) return [];
  return Object.keys(defOf(schema).shape ?? {});
}

interface Context {
  file: SourceFile;
  schema: AnySchema;
}

function label(path: DataPath): string {
  return path.length === 0 ? "top level" : formatPath(path);
}

function isMissing(data: unknown, path: DataPath): boolean {
  if (path.length === 0) return false;
  const parent = valueAt(data, path.slice(0, -1));
  return parent !== null && typeof parent === "object" && !Array.isArray(parent) && !Object.prototype.hasOwnProperty.call(parent, path[path.length - 1] as PropertyKey);
}

function got(value: unknown): string {
  return ` (got ${describeValue(value)})`;
}

function mapIssue(ctx: Context, issue: Issue, prefix: DataPath): Diagnostic[] {
  const path = [...prefix, ...issue.path];
  const data = ctx.file.data;
  const value = valueAt(data, path);
  const at = (message: string, where: DataPath = path, mode: "value" | "key" = "value") => diagnosticAt(ctx.file, where, message, "error", mode);
  const missingField = () => at(`${label(path.slice(0, -1))}: missing required field "${String(path[path.length - 1])}"`, path.slice(0, -1));

  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(ctx.schema, data, path);
      return issue.keys.map((key) => {
        const guess = suggest(key, allowed);
        const fix = guess ? `did you mean "${guess}"?` : `allowed: ${allowed.join(", ")}`;
        return at(`${label(path)}: unknown field "${key}" (${fix})`, [...path, key], "key");
      });
    }
    case "invalid_type":
      if (isMissing(data, path)) return [missingField()];
      if (issue.expected === "int") return [at(`${label(path)}: must be a whole number${got(value)}`)];
      return [at(`${label(path)}: expected ${typeName(issue.expected)}${got(value)}`)];
    case "invalid_value": {
      if (isMissing(data, path)) return [missingField()];
      const values = issue.values.map((v) => JSON.stringify(v));
      const expected = values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(", ")}`;
      return [at(`${label(path)}: ${expected}${got(value)}`)];
    }
    case "invalid_union": {
      const discriminated = issue as unknown as { note?: string; options?: unknown[] };
      if (discriminated.note === "No matching discriminator") {
        const options = discriminated.options?.map(String) ?? [];
        if (isMissing(data, path)) return [at(`${label(path.slice(0, -1))}: missing required field "${String(path[path.length - 1])}" (one of: ${options.join(", ")})`, path.slice(0, -1))];
        const guess = typeof value === "string" ? suggest(value, options) : undefined;
        const hint = guess ? `did you mean "${guess}"? ` : "";
        return [at(`${label(path)}: unknown ${String(path[path.length - 1])} ${describeValue(value)} (${hint}known: ${options.join(", ")})`)];
      }
      // A plain union: report the branch that came closest, rather than every branch's complaints.
      const branches = (issue.errors as Issue[][]).filter((b) => b.length > 0);
      if (branches.length === 0) return [at(`${label(path)}: invalid value${got(value)}`)];
      const best = branches.reduce((a, b) => (b.length < a.length ? b : a));
      return best.flatMap((sub) => mapIssue(ctx, sub, path));
    }
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "array") return [at(`${label(path)}: must list at least ${min} item${min === 1 ? "" : "s"}`)];
      if (issue.origin === "string") return [at(min <= 1 ? `${label(path)}: must not be empty` : `${label(path)}: must be at least ${min} characters${got(value)}`)];
      return [at(`${label(path)}: must be at least ${min}${got(value)}`)];
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "array") return [at(`${label(path)}: must list at most ${max} items (got ${Array.isArray(value) ? value.length : "more"})`)];
      if (issue.origin === "string") return [at(`${label(path)}: must be at most ${max} characters (got ${typeof value === "string" ? value.length : "more"})`)];
      return [at(`${label(path)}: must be at most ${max}${got(value)}`)];
    }
    case "invalid_format": {
      let message = issue.message;
      if (issue.format === "datetime") message = "must be an ISO 8601 date-time such as 2025-12-24T00:00:00 (in the gate's timezone) or 2025-12-24T00:00:00+01:00";
      else if (issue.format === "url") message = "must be an http(s) URL";
      else if (message.startsWith("Invalid")) message = `must be a valid ${issue.format}`;
      return [at(`${label(path)}: ${message}${got(value)}`)];
    }
    case "invalid_key":
      return issue.issues.map((sub) => at(`${label(path.slice(0, -1))}: invalid key "${String(path[path.length - 1])}": ${sub.message}`, path, "key"));
    case "invalid_element":
      return issue.issues.flatMap((sub) => mapIssue(ctx, sub, path));
    default:
      return [at(`${label(path)}: ${issue.message}${value === undefined ? "" : got(value)}`)];
  }
}

/** Validates a parsed file's data against `schema`; returns the typed value or located diagnostics. */
export function validateAgainst<S extends z.ZodType>(file: SourceFile, schema: S): { ok: true; value: z.output<S> } | { ok: false; diagnostics: Diagnostic[] } {
  const result = schema.safeParse(file.data);
  if (result.success) return { ok: true, value: result.data };
  const ctx: Context = { file, schema };
  return { ok: false, diagnostics: result.error.issues.flatMap((issue) => mapIssue(ctx, issue, [])) };
}
