/**
 * Manifest editors: find image references in YAML files and set image digests with
 * byte-minimal splices, each edit proven by re-parsing against an RFC 6902 patch.
 * Pure: strings in, results out.
 */
import { markerOf } from "./flux.js";
import { isDigest, isSameImage, isTemplated, parseImageRef } from "./image-ref.js";
import { collectSites } from "./registry.js";
import type { EditRequest, EditResult, ImageReference } from "./types.js";
import { verifyEdit } from "./verify.js";
import { YamlFile } from "./yaml-file.js";
import type { EditOp } from "./yaml-splice.js";
import { spliceEdits } from "./yaml-splice.js";

export type { Digest, EditRequest, EditResult, EditStatus, ImageReference, LineChange } from "./types.js";
export { isDigest, isSameImage, parseImageRef } from "./image-ref.js";
export type { ParsedImageRef } from "./image-ref.js";
export { editors } from "./registry.js";

/** Document order: document, line, column. */
function byPosition(a: ImageReference, b: ImageReference): number {
  return a.docIndex - b.docIndex || a.line - b.line || a.column - b.column;
}

/**
 * Every image reference in a file, all formats, in document order (invalid YAML: none).
 * With `options.fields`, explicit fields that resolve in the file are reported instead, as
 * references to `options.image` (the same rule `setImageDigest` applies).
 */
export function findImageReferences(fileName: string, content: string, options?: { image?: string; fields?: string[] }): ImageReference[] {
  const file = new YamlFile(fileName, content);
  if (file.error) return [];
  return collectSites(file, options)
    .map((site) => site.reference)
    .sort(byPosition);
}

/**
 * Set `request.digest` on every reference to `request.image` in the file. All references
 * change or none: a templated or unwritable reference skips the whole file, and an edit that
 * cannot be proven (re-parse ≠ old + patch, or bytes changed outside the edited scalars) is refused.
 */
export function setImageDigest(fileName: string, content: string, request: EditRequest): EditResult {
  const base: EditResult = { status: "not-found", content, patch: [], previousDigests: [], changes: [], references: [] };
  if (!isDigest(request.digest)) return { ...base, status: "refused", reason: `digest must be sha256: followed by 64 lowercase hex characters, got "${request.digest}"` };
  if (parseImageRef(request.image).repository === "") return { ...base, status: "refused", reason: "request.image is empty" };
  const file = new YamlFile(fileName, content);
  if (file.error) {
    const what = isTemplated(content) ? "templated file is not valid YAML" : "invalid YAML";
    return { ...base, status: "skipped", reason: `${what}: ${file.error}` };
  }
  const policies = new Set(request.imagePolicies ?? []);
  const matched = collectSites(file, request).filter(
    (site) =>
      site.forced ||
      site.names.some((name) => isSameImage(name, request.image)) ||
      (policies.size > 0 && site.nodes.some((node) => policies.has(markerOf(file, node)?.policy ?? ""))),
  );
  if (matched.length === 0) return { ...base, reason: `no reference to ${request.image}` };
  const references = matched.map((site) => site.reference).sort(byPosition);
  const ops: EditOp[] = [];
  const skips: string[] = [];
  const editing = new Set<(typeof matched)[number]>();
  for (const site of matched) {
    const plan = site.plan(request);
    if (!Array.isArray(plan)) skips.push(`${site.reference.pointer || "/"} (line ${site.reference.line}): ${plan.skip}`);
    else if (plan.length > 0) {
      ops.push(...plan);
      editing.add(site);
    }
  }
  if (skips.length > 0) return { ...base, status: "skipped", references, reason: skips.join("; ") };
  if (ops.length === 0) return { ...base, status: "unchanged", references, reason: `every reference to ${request.image} already carries ${request.digest}` };
  const editor = [...new Set([...editing].map((site) => site.reference.editor))].join(",");
  const spliced = spliceEdits(file, ops);
  if ("error" in spliced) return { ...base, status: "refused", editor, references, reason: spliced.error };
  const problem = verifyEdit(file.content, file.docs, spliced.content, spliced.patch, spliced.edits);
  if (problem) return { ...base, status: "refused", editor, references, reason: problem };
  const newContent = `${file.bom ? "\uFEFF" : ""}${spliced.content}`;
  const previousDigests = [...new Set([...editing].map((site) => site.reference.digest).filter((d): d is string => !!d))];
  const result: EditResult = { status: "changed", editor, content: newContent, patch: spliced.patch, previousDigests, changes: spliced.changes, references };
  if (spliced.notes.length > 0) result.notes = spliced.notes;
  return result;
}
