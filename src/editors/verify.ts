/**
 * Proof of an edit: the new text must parse, must equal the old documents with the patch
 * applied, and must differ from the old text only inside the spliced ranges.
 */
import { applyPatch } from "rfc6902";
import type { Operation } from "rfc6902";
import { parseDocuments, toPatchTarget } from "./yaml-file.js";
import type { YamlDocument } from "./yaml-file.js";
import type { TextEdit } from "./yaml-splice.js";

/** Structural equality of JSON-like values (object key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]));
}

/** Deep copy that breaks shared references (unlike structuredClone). */
function cloneTree(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneTree);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneTree(v)]));
  }
  return value;
}

/** Returns undefined when the edit is proven, else the reason to refuse it. */
export function verifyEdit(oldContent: string, oldDocs: YamlDocument[], newContent: string, patch: Operation[], edits: TextEdit[]): string | undefined {
  const outside = checkOutsideRanges(oldContent, newContent, edits);
  if (outside) return outside;
  const newDocs = parseDocuments(newContent);
  const broken = newDocs.find((doc) => doc.errors.length > 0);
  if (broken) return `edited text does not parse: ${broken.errors[0]?.message.split("\n")[0] ?? "error"}`;
  if (newDocs.length !== oldDocs.length) return `document count changed from ${oldDocs.length} to ${newDocs.length}`;
  let expected: unknown;
  try {
    // toJS shares one object for a map and its aliases; the patch addresses each place on its own.
    expected = cloneTree(toPatchTarget(oldDocs));
    // applyPatch mutates; the leading `test` operations prove the old values were what we read.
    const results = applyPatch(expected as object, patch);
    const failed = results.findIndex((r) => r !== null);
    if (failed >= 0) return `patch operation ${failed} (${patch[failed]?.op} ${patch[failed]?.path}) does not apply: ${results[failed]?.name ?? "error"}`;
  } catch (error) {
    return `patch does not apply: ${(error as Error).message}`;
  }
  const actual = toPatchTarget(newDocs);
  if (!deepEqual(actual, expected)) return "re-parsed document differs from the patched document";
  return undefined;
}

function checkOutsideRanges(oldContent: string, newContent: string, edits: TextEdit[]): string | undefined {
  let oldCursor = 0;
  let newCursor = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    const keep = oldContent.slice(oldCursor, edit.start);
    if (newContent.slice(newCursor, newCursor + keep.length) !== keep) return `bytes changed outside the edited ranges near offset ${oldCursor}`;
    newCursor += keep.length + edit.text.length;
    oldCursor = edit.end;
  }
  if (newContent.slice(newCursor) !== oldContent.slice(oldCursor)) return "bytes changed after the last edited range";
  return undefined;
}
