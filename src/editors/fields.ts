/**
 * Explicit field paths from the request (`fields`): dotted (`app.image.digest`,
 * `images[0].tag`), JSON pointers (`/app/image/digest`), or Argo CD helm parameter names. A
 * field that resolves in a file is edited whatever the image it holds, and the heuristic
 * editors are then not used for that file (explicit beats guessed). What is written depends on
 * the field: `…digest` gets the digest, `sha` the bare hex, `…tag`/`…version` get `tag@digest`, a whole
 * reference gets `repo:tag@digest`. A missing `…digest` key whose map exists is added.
 * The previous digest of a field that holds none itself (a tag next to a digest field, a digest key
 * being added next to `tag@sha256:…`) is read from its siblings, so promotions still name it.
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

/** Values next to a field, by key (the other keys of its map, or the other helm parameters of its prefix). */
type Siblings = (key: string) => string | undefined;

const NO_SIBLINGS: Siblings = () => undefined;

function resolvePath(doc: YamlDocument, segments: string[]): { target: Target; siblings: Siblings } | undefined {
  let node: unknown = doc.contents;
  let parent: YAMLMap | undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? "";
    node = resolveNode(doc, node);
    const last = i === segments.length - 1;
    if (isMap(node)) {
      parent = node;
      const pair = getPair(node, segment);
      if (!pair) return last ? { target: { map: node, key: segment }, siblings: mapSiblings(doc, node) } : undefined;
      node = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(segment)) {
      parent = undefined;
      node = node.items[Number(segment)];
    } else return undefined;
  }
  node = resolveNode(doc, node);
  return isScalar(node) ? { target: { node }, siblings: parent ? mapSiblings(doc, parent) : NO_SIBLINGS } : undefined;
}

function mapSiblings(doc: YamlDocument, map: YAMLMap): Siblings {
  return (key) => {
    const value = resolveNode(doc, getPair(map, key)?.value);
    return isScalar(value) ? scalarText(value) : undefined;
  };
}

/**
 * The digest a field's image runs at when the field itself does not say: a tag or version field next to
 * a separate digest field (`tag: "1.4"` + `digest: sha256:…`), or a digest field next to a tag carrying
 * one (`tag: 1.4@sha256:…`, the digest key being added). Keys are matched case-insensitively by suffix.
 */
function siblingDigest(key: string, siblings: Siblings): string | undefined {
  const candidates = ["digest", "imageDigest", "sha", "tag", "imageTag", "version"].filter((k) => k.toLowerCase() !== key.toLowerCase());
  for (const candidate of candidates) {
    const digest = currentParts(candidate, siblings(candidate)).digest;
    if (digest && looksLikeDigest(digest)) return digest;
  }
  return undefined;
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

function fieldSite(file: YamlFile, docIndex: number, field: string, target: Target, query: SiteQuery, siblings: Siblings): ImageSite | undefined {
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
  const current = currentParts(key, old);
  // A reference must say what runs now (previousDigests, the Stagegate-Previous trailer, the audit's deployed digests).
  const digest = current.digest ?? siblingDigest(key, siblings);
  return {
    reference: makeReference(file, "fields", docIndex, node, { image: query.image ? normaliseImage(query.image) : "", raw: `${field}=${old ?? ""}`, ...current, ...(digest ? { digest } : {}) }),
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
        const resolved = resolvePath(doc, parseFieldPath(field));
        const site = resolved && fieldSite(file, docIndex, field, resolved.target, query, resolved.siblings);
        if (site) sites.push(site);
        for (const source of argoSources(file, doc)) {
          const params = helmParameters(doc, source);
          const param = params.get(field);
          // Parameters `image.tag` and `image.digest` are siblings: same name up to the last dot.
          const prefix = field.includes(".") ? field.slice(0, field.lastIndexOf(".") + 1) : "";
          const siblings: Siblings = (key) => {
            const value = params.get(`${prefix}${key}`);
            return value ? scalarText(value) : undefined;
          };
          const paramSite = param && fieldSite(file, docIndex, field, { node: param }, query, siblings);
          if (paramSite) sites.push(paramSite);
        }
      }
    });
    return sites;
  },
};
