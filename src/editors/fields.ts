/**
 * Explicit field paths from the request (`fields`): dotted (`app.image.digest`,
 * `images[0].tag`), JSON pointers (`/app/image/digest`), or Argo CD helm parameter names. A
 * field that resolves in a file is edited whatever the image it holds, and the heuristic
 * editors are then not used for that file (explicit beats guessed). What is written depends on
 * the field: `…digest` gets the digest, `sha` the bare hex, `…tag`/`…version` get `tag@digest`, a whole
 * reference gets `repo:tag@digest`. A missing `…digest` key whose map exists is added.
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { Node, Pair, Scalar, YAMLMap } from "yaml";
import { argoSources, helmParameters } from "./argocd.js";
import type { Editor, ImageSite, SitePlan, SiteQuery } from "./editor.js";
import { makeReference } from "./editor.js";
import { isImageRef, looksLikeDigest, normaliseImage, parseImageRef, withDigest } from "./image-ref.js";
import type { EditRequest } from "./types.js";
import { getPair, resolveNode, scalarText } from "./yaml-file.js";
import type { YamlDocument, YamlFile } from "./yaml-file.js";

/** Split a dotted path or JSON pointer into segments. */
export function parseFieldPath(path: string): string[] {
  if (path.startsWith("/")) return path.slice(1).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
  return path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(/(?<!\\)\./)
    .map((s) => s.replaceAll("\\.", "."))
    .filter((s) => s !== "");
}

type Target = { node: Scalar } | { map: YAMLMap; key: string };

function resolvePath(doc: YamlDocument, segments: string[]): Target | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? "";
    node = resolveNode(doc, node);
    const last = i === segments.length - 1;
    if (isMap(node)) {
      const pair = getPair(node, segment);
      if (!pair) return last ? { map: node, key: segment } : undefined;
      node = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(segment)) {
      node = node.items[Number(segment)];
    } else return undefined;
  }
  node = resolveNode(doc, node);
  return isScalar(node) ? { node } : undefined;
}

function newValue(key: string, old: string | undefined, isReference: boolean, request: EditRequest): string | { skip: string } {
  const lower = key.toLowerCase();
  if (lower === "sha") return request.digest.slice("sha256:".length);
  if (lower.endsWith("digest") || (old !== undefined && looksLikeDigest(old))) return request.digest;
  if (lower.endsWith("tag") || lower.endsWith("version")) {
    const tag = request.tag ?? old?.split("@")[0];
    return tag ? `${tag}@${request.digest}` : { skip: `field ${key} has no tag to carry the digest` };
  }
  if (isReference && old !== undefined && isImageRef(old)) return withDigest(old, request.digest, request.tag);
  return { skip: `field ${key} does not hold a digest, tag or image reference` };
}

function lastScalarPair(map: YAMLMap): Pair | undefined {
  const tag = getPair(map, "tag");
  if (tag && isScalar(tag.value)) return tag;
  return [...map.items].reverse().find((pair) => isScalar(pair.value));
}

/** Tag and digest a field holds now, for discovery (`previousDigests`, deployed digests). */
function currentParts(key: string, old: string | undefined): { tag?: string; digest?: string } {
  if (!old) return {};
  const lower = key.toLowerCase();
  if (lower === "sha") return { digest: `sha256:${old}` };
  if (lower.endsWith("digest") || looksLikeDigest(old)) return { digest: old };
  if (lower.endsWith("tag") || lower.endsWith("version")) {
    const [tag, digest] = old.split("@");
    return { ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
  }
  const parsed = parseImageRef(old);
  return { ...(parsed.tag ? { tag: parsed.tag } : {}), ...(parsed.digest ? { digest: parsed.digest } : {}) };
}

function fieldSite(file: YamlFile, docIndex: number, field: string, target: Target, query: SiteQuery): ImageSite | undefined {
  const node: Node = "node" in target ? target.node : target.map;
  const old = "node" in target ? scalarText(target.node) : undefined;
  const key = "node" in target ? (parseFieldPath(field).pop() ?? field) : target.key;
  if (!("node" in target) && !key.toLowerCase().endsWith("digest")) return undefined;
  const plan = (req: EditRequest): SitePlan => {
    const value = newValue(key, old, "node" in target && typeof target.node.value === "string", req);
    if (typeof value !== "string") return value;
    const before = `${req.image}${old ? ` (${field}=${old})` : ""}`;
    const after = `${req.image} (${field}=${value})`;
    if ("node" in target) return old === value ? [] : [{ kind: "set", docIndex, node: target.node, value, before, after }];
    const anchor = lastScalarPair(target.map);
    if (!anchor) return { skip: `field ${field}: no key to insert after` };
    return [{ kind: "insert", docIndex, map: target.map, afterPair: anchor, key, value, before, after }];
  };
  return {
    reference: makeReference(file, "fields", docIndex, node, { image: query.image ? normaliseImage(query.image) : "", raw: `${field}=${old ?? ""}`, ...currentParts(key, old) }),
    names: query.image ? [query.image] : [],
    nodes: [node],
    forced: true,
    plan,
  };
}

export const fieldsEditor: Editor = {
  name: "fields",
  detect: () => true,
  find(file, query) {
    if (!query?.fields?.length) return [];
    const sites: ImageSite[] = [];
    file.docs.forEach((doc, docIndex) => {
      for (const field of query.fields ?? []) {
        const target = resolvePath(doc, parseFieldPath(field));
        const site = target && fieldSite(file, docIndex, field, target, query);
        if (site) sites.push(site);
        for (const source of argoSources(file, doc)) {
          const param = helmParameters(doc, source).get(field);
          const paramSite = param && fieldSite(file, docIndex, field, { node: param }, query);
          if (paramSite) sites.push(paramSite);
        }
      }
    });
    return sites;
  },
};
