/**
 * The editor plug-in contract and helpers shared by several formats. A new manifest format is
 * one file implementing `Editor` plus one line in `registry.ts`.
 */
import type { Node, Scalar } from "yaml";
import { isTemplated, parseImageRef, withDigest } from "./image-ref.js";
import type { EditRequest, ImageReference } from "./types.js";
import type { YamlFile } from "./yaml-file.js";
import type { EditOp } from "./yaml-splice.js";

/** What a site plans for a request: edits (possibly none: already up to date) or a reason to skip the file. */
export type SitePlan = EditOp[] | { skip: string };

/** One image reference found by an editor, with how to bump it. */
export interface ImageSite {
  reference: ImageReference;
  /** Names that select this site (kustomize `name` and `newName`, Helm `registry/repository`, …). */
  names: string[];
  /** Scalars of the site: dedupe key first; Flux setter markers on their lines select the site too. */
  nodes: Node[];
  /** Selected whatever the image (explicit `fields` of the request). */
  forced?: boolean;
  plan(request: EditRequest): SitePlan;
}

/** What the caller knows beyond the file: the image and explicit field paths (an `EditRequest` is one). */
export interface SiteQuery {
  image?: string;
  fields?: string[];
}

/** A manifest format. `detect` is a cheap file-level gate; `find` lists the sites. */
export interface Editor {
  name: string;
  detect(file: YamlFile): boolean;
  /** `query` carries explicit fields (and the image they hold) when the caller has them. */
  find(file: YamlFile, query?: SiteQuery): ImageSite[];
}

/** Build the public reference for a scalar. */
export function makeReference(
  file: YamlFile,
  editor: string,
  docIndex: number,
  node: Node,
  fields: { image: string; raw: string; tag?: string | undefined; digest?: string | undefined },
): ImageReference {
  const { line, column } = file.positionOf(node);
  const reference: ImageReference = { editor, docIndex, pointer: file.pointersOf(docIndex, node)[0] ?? "", line, column, image: fields.image, raw: fields.raw };
  if (fields.tag !== undefined) reference.tag = fields.tag;
  if (fields.digest !== undefined) reference.digest = fields.digest;
  return reference;
}

/** A reason to skip when any value of a site is templated. */
export function templateSkip(values: Array<string | undefined>): { skip: string } | undefined {
  const templated = values.find((v) => v !== undefined && isTemplated(v));
  return templated === undefined ? undefined : { skip: `templated value "${templated}" is rendered elsewhere; not edited` };
}

/**
 * A scalar holding a whole reference (`repo:tag`, `repo@sha256:…`, `repo:tag@sha256:…`): the
 * new value keeps the repository as written and the tag for readability.
 */
export function inlineSite(file: YamlFile, editor: string, docIndex: number, node: Scalar, prefix = ""): ImageSite | undefined {
  if (typeof node.value !== "string") return undefined;
  const whole = node.value.trim();
  if (whole === "" || !whole.startsWith(prefix)) return undefined;
  const raw = whole.slice(prefix.length);
  if (raw === "") return undefined;
  const parsed = parseImageRef(raw);
  const names = prefix ? [raw, prefix.slice(0, -1)] : [raw];
  return {
    reference: makeReference(file, editor, docIndex, node, { image: parsed.image, raw: whole, tag: parsed.tag, digest: parsed.digest }),
    names,
    nodes: [node],
    plan(request) {
      const skip = templateSkip([raw]);
      if (skip) return skip;
      const next = withDigest(raw, request.digest, request.tag);
      if (next === raw) return [];
      return [{ kind: "set", docIndex, node, value: `${prefix}${next}`, before: raw, after: next }];
    },
  };
}
