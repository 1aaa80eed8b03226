/**
 * Helm values: split image blocks (`repository`/`tag`/`digest`, `registry/repository/…`,
 * `image.image` + `digest`, kube-prometheus-stack `sha`) and inline `image: repo:tag` strings,
 * in values files, Flux HelmRelease `spec.values` and (through `helmSites`) Argo CD
 * `helm.valuesObject`.
 *
 * Where to write the digest: an existing `digest` (or `sha`) key is set; otherwise the digest
 * goes into the tag (`tag: v1@sha256:…`), because the `helm create` template renders
 * `repository:tag` and would silently ignore an inserted `digest:` key (the promotion would
 * claim a digest the cluster never runs). An empty tag with no digest key is skipped: there is
 * nothing safe to write; name the field with `fields` instead.
 */
import { isMap } from "yaml";
import type { Scalar, YAMLMap } from "yaml";
import type { Editor, ImageSite } from "./editor.js";
import { inlineSite, makeReference, templateSkip } from "./editor.js";
import { isImageRef, isTemplated, normaliseImage } from "./image-ref.js";
import { getKind, getPair, getScalar, getValue, scalarText, visitMaps } from "./yaml-file.js";
import type { YamlDocument, YamlFile } from "./yaml-file.js";
import type { EditOp } from "./yaml-splice.js";

const SPLIT_HINTS = ["tag", "version", "digest", "sha", "registry", "pullPolicy"];
const NOT_VALUES = /(?:^|\/)(?:kustomization\.ya?ml|Kustomization|\.argocd-source[^/]*\.ya?ml|stagegate\.ya?ml)$/;

/** The parts of a split image block, as text. */
interface SplitParts { registry?: string; repository: string; tag?: string; digest?: string; sha?: string }

function describe(image: string, tag: string | undefined, digest: string | undefined): string {
  return `${image}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
}

function splitSite(file: YamlFile, editor: string, docIndex: number, doc: YamlDocument, map: YAMLMap, repoNode: Scalar, repoKey: string): ImageSite | undefined {
  const text = (key: string): string | undefined => scalarText(getScalar(doc, map, key));
  const parts: SplitParts = { repository: scalarText(repoNode) ?? "" };
  // `version` stands in for `tag` in some charts (Renovate's helm-values manager reads it too);
  // chart dependencies that also use `version` never pass the image-reference check below.
  const tagKey = getPair(map, "tag") || !getPair(map, "version") ? "tag" : "version";
  for (const key of ["registry", "digest", "sha"] as const) {
    const value = text(key);
    if (value !== undefined) parts[key] = value;
  }
  const tagText = text(tagKey);
  if (tagText !== undefined) parts.tag = tagText;
  if (parts.repository === "") return undefined;
  const templated = isTemplated(parts.repository) || isTemplated(parts.registry ?? "");
  const joined = parts.registry ? `${parts.registry}/${parts.repository}` : parts.repository;
  if (!templated && !isImageRef(joined)) return undefined;
  const raw = [parts.registry !== undefined ? `registry=${parts.registry}` : "", `${repoKey}=${parts.repository}`, parts.tag !== undefined ? `${tagKey}=${parts.tag}` : "", parts.digest !== undefined ? `digest=${parts.digest}` : ""].filter(Boolean).join(" ");
  const tagNode = getScalar(doc, map, tagKey);
  const digestNode = getScalar(doc, map, "digest");
  const shaNode = getScalar(doc, map, "sha");
  const tagAt = parts.tag?.indexOf("@") ?? -1;
  const tagName = tagAt >= 0 ? parts.tag?.slice(0, tagAt) : parts.tag;
  const oldDigest = parts.digest || (parts.sha ? `sha256:${parts.sha}` : undefined) || (tagAt >= 0 ? parts.tag?.slice(tagAt + 1) : undefined);
  return {
    reference: makeReference(file, editor, docIndex, repoNode, { image: normaliseImage(joined), raw, tag: tagName || undefined, digest: oldDigest }),
    names: [joined],
    nodes: [repoNode, ...[tagNode, digestNode, shaNode].filter((n) => n !== undefined)],
    plan(request) {
      const skip = templateSkip([parts.registry, parts.repository, parts.tag, parts.digest]);
      if (skip) return skip;
      const newTagName = request.tag && tagName ? request.tag : tagName;
      const before = describe(joined, tagName, oldDigest);
      const after = describe(joined, newTagName, request.digest);
      const ops: EditOp[] = [];
      const set = (node: Scalar | undefined, old: string | undefined, value: string): void => {
        if (node && old !== value) ops.push({ kind: "set", docIndex, node, value, before, after });
      };
      if (digestNode || shaNode) {
        if (digestNode) set(digestNode, parts.digest, request.digest);
        else set(shaNode, parts.sha, request.digest.slice("sha256:".length));
        if (tagAt >= 0) set(tagNode, parts.tag, `${newTagName ?? ""}@${request.digest}`);
        else if (newTagName) set(tagNode, parts.tag, newTagName);
        return ops;
      }
      const tagValue = newTagName || request.tag;
      if (!tagNode || !tagValue) {
        const where = getPair(map, tagKey) ? "the tag is empty" : "there is no tag";
        return { skip: `${file.pointersOf(docIndex, map)[0] ?? ""}: no digest field and ${where} to carry the digest; name the field in \`fields\`` };
      }
      set(tagNode, parts.tag, `${tagValue}@${request.digest}`);
      return ops;
    },
  };
}

/** Sites of Helm values below `root` (a values document, HelmRelease `spec.values`, Argo CD `valuesObject`). */
export function helmSites(file: YamlFile, editor: string, docIndex: number, root: unknown): ImageSite[] {
  const doc = file.docs[docIndex];
  if (!doc) return [];
  const sites: ImageSite[] = [];
  visitMaps(doc, root, (map) => {
    const repository = getScalar(doc, map, "repository");
    const image = getScalar(doc, map, "image");
    const hasHints = SPLIT_HINTS.some((key) => getPair(map, key));
    if (repository && typeof repository.value === "string" && hasHints) {
      const site = splitSite(file, editor, docIndex, doc, map, repository, "repository");
      if (site) sites.push(site);
    } else if (image && typeof image.value === "string" && hasHints) {
      const site = splitSite(file, editor, docIndex, doc, map, image, "image");
      if (site) sites.push(site);
    } else if (image && typeof image.value === "string" && (isImageRef(image.value.trim()) || isTemplated(image.value))) {
      const site = inlineSite(file, editor, docIndex, image);
      if (site) sites.push(site);
    }
  });
  return sites;
}

/** Documents (or subtrees) that hold Helm values. */
function valuesRoots(file: YamlFile): Array<{ docIndex: number; root: unknown }> {
  if (NOT_VALUES.test(file.fileName)) return [];
  const roots: Array<{ docIndex: number; root: unknown }> = [];
  file.docs.forEach((doc, docIndex) => {
    const kind = getKind(doc);
    if (!kind) {
      // A values file may have its own `kind:` key (fluent-bit's `kind: DaemonSet`); only
      // apiVersion + kind together make a Kubernetes object.
      if (isMap(doc.contents)) roots.push({ docIndex, root: doc.contents });
    } else if (kind.kind === "HelmRelease") {
      const values = getValue(doc, getValue(doc, doc.contents, "spec"), "values");
      if (isMap(values)) roots.push({ docIndex, root: values });
    }
  });
  return roots;
}

export const helmValuesEditor: Editor = {
  name: "helm-values",
  detect: (file) => valuesRoots(file).length > 0,
  find: (file) => valuesRoots(file).flatMap(({ docIndex, root }) => helmSites(file, helmValuesEditor.name, docIndex, root)),
};

