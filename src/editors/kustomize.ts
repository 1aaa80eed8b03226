/**
 * kustomize `images:` entries (kustomization.yaml / Component / Flux Kustomization
 * `spec.images`). A digest is set in `digest:` (inserted after the last naming key when
 * missing). kustomize ignores `newTag` once `digest` is set, so `newTag` stays untouched for a
 * byte-minimal diff unless `dropTag` asks to remove it, or `tag` asks to update it.
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { Pair, YAMLMap } from "yaml";
import type { Editor, ImageSite } from "./editor.js";
import { makeReference, templateSkip } from "./editor.js";
import { normaliseImage } from "./image-ref.js";
import { getKind, getPair, getScalar, getValue, resolveNode, scalarText } from "./yaml-file.js";
import type { YamlDocument, YamlFile } from "./yaml-file.js";
import type { EditOp } from "./yaml-splice.js";

const FILE_NAME = /(?:^|\/)(?:kustomization\.ya?ml|Kustomization)$/;

/** The `images` list of a document, if it is a kustomization (or a Flux Kustomization). */
function imagesList(file: YamlFile, doc: YamlDocument): unknown {
  const kind = getKind(doc);
  if (kind?.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/")) return getValue(doc, getValue(doc, doc.contents, "spec"), "images");
  const images = getValue(doc, doc.contents, "images");
  if (kind) return kind.apiVersion.startsWith("kustomize.config.k8s.io/") ? images : undefined;
  return FILE_NAME.test(file.fileName) || looksLikeImagesList(doc, images) ? images : undefined;
}

/** A kind-less document whose `images` entries carry kustomize keys is a kustomization whatever its file name. */
function looksLikeImagesList(doc: YamlDocument, images: unknown): boolean {
  if (!isSeq(images) || images.items.length === 0) return false;
  return images.items.every((item) => {
    const entry = resolveNode(doc, item);
    return isMap(entry) && getPair(entry, "name") !== undefined && ["newName", "newTag", "digest", "tagSuffix"].some((key) => getPair(entry, key));
  });
}

function entrySite(file: YamlFile, docIndex: number, doc: YamlDocument, entry: YAMLMap): ImageSite | undefined {
  const name = getScalar(doc, entry, "name");
  const nameText = scalarText(name);
  if (!name || nameText === undefined) return undefined;
  const newName = getScalar(doc, entry, "newName");
  const newTag = getScalar(doc, entry, "newTag");
  const digest = getScalar(doc, entry, "digest");
  const values = { name: nameText, newName: scalarText(newName), newTag: scalarText(newTag), digest: scalarText(digest) };
  const effective = values.newName ?? values.name;
  const describe = (tag: string | undefined, dig: string | undefined): string => `${effective}${tag ? `:${tag}` : ""}${dig ? `@${dig}` : ""}`;
  const raw = Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  return {
    reference: makeReference(file, kustomizeEditor.name, docIndex, newName ?? name, { image: normaliseImage(effective), raw, tag: values.newTag, digest: values.digest }),
    names: [values.name, ...(values.newName ? [values.newName] : [])],
    nodes: [name, ...[newName, newTag, digest].filter((n) => n !== undefined)],
    plan(request) {
      const skip = templateSkip(Object.values(values));
      if (skip) return skip;
      const tagAfter = request.dropTag ? undefined : newTag && request.tag ? request.tag : values.newTag;
      const before = describe(values.newTag, values.digest);
      const after = describe(tagAfter, request.digest);
      const ops: EditOp[] = [];
      const tagPair = getPair(entry, "newTag");
      // dropTag without a digest key: the newTag pair becomes the digest pair, in place (one line).
      if (request.dropTag && tagPair && !digest) return [{ kind: "rename", docIndex, map: entry, pair: tagPair, key: "digest", value: request.digest, before, after }];
      if (digest) {
        if (values.digest !== request.digest) ops.push({ kind: "set", docIndex, node: digest, value: request.digest, before, after });
      } else {
        const last = lastNamingPair(entry);
        if (!last) return { skip: "kustomize images entry has no key to insert `digest` after" };
        ops.push({ kind: "insert", docIndex, map: entry, afterPair: last, key: "digest", value: request.digest, before, after });
      }
      if (request.dropTag && tagPair) ops.push({ kind: "remove", docIndex, map: entry, pair: tagPair, before, after });
      else if (newTag && request.tag && values.newTag !== request.tag) ops.push({ kind: "set", docIndex, node: newTag, value: request.tag, before, after });
      return ops;
    },
  };
}

/** The naming pair (`name`, `newName`, `newTag`, `tagSuffix`) written last, to insert `digest` after it. */
function lastNamingPair(entry: YAMLMap): Pair | undefined {
  let last: Pair | undefined;
  for (const key of ["name", "newName", "newTag", "tagSuffix"]) {
    const pair = getPair(entry, key);
    const end = (pair?.value as { range?: [number, number, number] } | null)?.range?.[1] ?? -1;
    const lastEnd = (last?.value as { range?: [number, number, number] } | null)?.range?.[1] ?? -1;
    if (pair && isScalar(pair.value) && end > lastEnd) last = pair;
  }
  return last;
}

export const kustomizeEditor: Editor = {
  name: "kustomize",
  detect: (file) => FILE_NAME.test(file.fileName) || /kustomize\.(?:config\.k8s\.io|toolkit\.fluxcd\.io)\/|^images:/m.test(file.content),
  find(file) {
    const sites: ImageSite[] = [];
    file.docs.forEach((doc, docIndex) => {
      const images = imagesList(file, doc);
      if (!isSeq(images)) return;
      for (const item of images.items) {
        const entry = resolveNode(doc, item);
        const site = isMap(entry) ? entrySite(file, docIndex, doc, entry) : undefined;
        if (site) sites.push(site);
      }
    });
    return sites;
  },
};
