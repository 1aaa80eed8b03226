/**
 * Argo CD Application / ApplicationSet sources (`spec.source`, `spec.sources[]`,
 * `spec.template.spec.…`) and `.argocd-source*.yaml` write-back files:
 * `kustomize.images` strings (`ref` or `alias=ref`), `helm.parameters` name/value pairs
 * (`…repository` + `…tag`/`…digest`), and `helm.valuesObject` (Helm values rules).
 * `helm.values` is a string holding YAML and is never edited (a trap for regex tools).
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { Scalar } from "yaml";
import type { Editor, ImageSite } from "./editor.js";
import { inlineSite, makeReference, templateSkip } from "./editor.js";
import { helmSites } from "./helm-values.js";
import { isImageRef, isTemplated, normaliseImage } from "./image-ref.js";
import { getKind, getScalar, getValue, resolveNode, scalarText } from "./yaml-file.js";
import type { YamlDocument, YamlFile } from "./yaml-file.js";
import type { EditOp } from "./yaml-splice.js";

const SOURCE_FILE = /(?:^|\/)\.argocd-source[^/]*\.ya?ml$/;
const NAME = "argocd";

/** Source maps of a document: Application, ApplicationSet template, or a write-back file root. */
export function argoSources(file: YamlFile, doc: YamlDocument): unknown[] {
  const kind = getKind(doc);
  if (!kind) return SOURCE_FILE.test(file.fileName) && isMap(doc.contents) ? [doc.contents] : [];
  if (!kind.apiVersion.startsWith("argoproj.io/")) return [];
  let spec = getValue(doc, doc.contents, "spec");
  if (kind.kind === "ApplicationSet") spec = getValue(doc, getValue(doc, spec, "template"), "spec");
  else if (kind.kind !== "Application") return [];
  const sources = getValue(doc, spec, "sources");
  return [getValue(doc, spec, "source"), ...(isSeq(sources) ? sources.items.map((s) => resolveNode(doc, s)) : [])].filter(isMap);
}

/** `helm.parameters` as name → value scalar. */
export function helmParameters(doc: YamlDocument, source: unknown): Map<string, Scalar> {
  const params = new Map<string, Scalar>();
  const list = getValue(doc, getValue(doc, source, "helm"), "parameters");
  if (!isSeq(list)) return params;
  for (const item of list.items) {
    const entry = resolveNode(doc, item);
    const name = scalarText(getScalar(doc, entry, "name"));
    const value = getScalar(doc, entry, "value");
    if (name !== undefined && value) params.set(name, value);
  }
  return params;
}

function parameterSites(file: YamlFile, docIndex: number, params: Map<string, Scalar>): ImageSite[] {
  const sites: ImageSite[] = [];
  for (const [name, repoNode] of params) {
    if (name === "image" || name.endsWith(".image")) {
      const site = typeof repoNode.value === "string" && isImageRef(repoNode.value) ? inlineSite(file, NAME, docIndex, repoNode) : undefined;
      if (site) sites.push(site);
      continue;
    }
    if (name !== "repository" && !name.endsWith(".repository")) continue;
    const prefix = name.slice(0, -"repository".length);
    const registry = scalarText(params.get(`${prefix}registry`));
    const repository = scalarText(repoNode) ?? "";
    const joined = registry ? `${registry}/${repository}` : repository;
    if (!isTemplated(joined) && !isImageRef(joined)) continue;
    const tagNode = params.get(`${prefix}tag`);
    const digestNode = params.get(`${prefix}digest`);
    const tag = scalarText(tagNode);
    const digest = scalarText(digestNode);
    sites.push({
      reference: makeReference(file, NAME, docIndex, repoNode, { image: normaliseImage(joined), raw: `${name}=${repository}${tag !== undefined ? ` ${prefix}tag=${tag}` : ""}`, tag, digest }),
      names: [joined],
      nodes: [repoNode, ...[tagNode, digestNode].filter((n) => n !== undefined)],
      plan(request) {
        const skip = templateSkip([registry, repository, tag, digest]);
        if (skip) return skip;
        const tagName = tag?.split("@")[0];
        const newTag = request.tag && tagName ? request.tag : tagName;
        const before = `${joined}${tagName ? `:${tagName}` : ""}${digest ? `@${digest}` : ""}`;
        const after = `${joined}${newTag ? `:${newTag}` : ""}@${request.digest}`;
        const ops: EditOp[] = [];
        if (digestNode) {
          if (digest !== request.digest) ops.push({ kind: "set", docIndex, node: digestNode, value: request.digest, before, after });
          if (tagNode && newTag && newTag !== tag) ops.push({ kind: "set", docIndex, node: tagNode, value: newTag, before, after });
          return ops;
        }
        if (!tagNode || !newTag) return { skip: `helm parameter ${prefix}tag is missing or empty and there is no ${prefix}digest parameter` };
        const value = `${newTag}@${request.digest}`;
        if (value !== tag) ops.push({ kind: "set", docIndex, node: tagNode, value, before, after });
        return ops;
      },
    });
  }
  return sites;
}

function kustomizeImageSites(file: YamlFile, docIndex: number, doc: YamlDocument, source: unknown): ImageSite[] {
  const images = getValue(doc, getValue(doc, source, "kustomize"), "images");
  if (!isSeq(images)) return [];
  const sites: ImageSite[] = [];
  for (const item of images.items) {
    const node = resolveNode(doc, item);
    if (!isScalar(node) || typeof node.value !== "string") continue;
    const eq = node.value.indexOf("=");
    const site = inlineSite(file, NAME, docIndex, node, eq >= 0 ? node.value.slice(0, eq + 1) : "");
    if (site) sites.push(site);
  }
  return sites;
}

export const argocdEditor: Editor = {
  name: NAME,
  detect: (file) => SOURCE_FILE.test(file.fileName) || file.content.includes("argoproj.io/"),
  find(file) {
    const sites: ImageSite[] = [];
    file.docs.forEach((doc, docIndex) => {
      for (const source of argoSources(file, doc)) {
        sites.push(...kustomizeImageSites(file, docIndex, doc, source));
        sites.push(...parameterSites(file, docIndex, helmParameters(doc, source)));
        const valuesObject = getValue(doc, getValue(doc, source, "helm"), "valuesObject");
        if (isMap(valuesObject)) sites.push(...helmSites(file, NAME, docIndex, valuesObject));
      }
    });
    return sites;
  },
};
