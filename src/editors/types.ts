/**
 * Public types of the manifest editors. Other modules (planner, CLI, handlers) code against
 * these names; keep them stable.
 */
import type { Operation } from "rfc6902";

/** A content digest: `sha256:` followed by 64 lowercase hex characters. */
export type Digest = `sha256:${string}`;

/** One place in a file that names a container image. */
export interface ImageReference {
  /** Name of the editor that found it (`kubernetes`, `kustomize`, `helm-values`, …). */
  editor: string;
  /** Index of the YAML document in a multi-document file (0 for single-document files). */
  docIndex: number;
  /** JSON pointer (inside the document) of the scalar that names the image. */
  pointer: string;
  /** 1-based line of that scalar. */
  line: number;
  /** 1-based column of that scalar. */
  column: number;
  /** Normalised repository, e.g. `ghcr.io/acme/checkout` or `docker.io/library/nginx`. */
  image: string;
  /** The reference as written (for split forms, `key=value` pairs as in the corpus index). */
  raw: string;
  tag?: string;
  digest?: string;
}

/** What to set: every reference to `image` in the file gets `digest`. */
export interface EditRequest {
  /** Image repository to bump (tag/digest suffixes are ignored, docker.io is normalised). */
  image: string;
  digest: Digest;
  /** New human-readable tag. Replaces tags that already exist next to the digest; never added where there was none. */
  tag?: string;
  /** kustomize only: remove `newTag` when setting `digest` (kustomize ignores the tag then). */
  dropTag?: boolean;
  /** Explicit field paths (`app.image.digest`, `images[0].tag`, `/app/image/digest`, or an Argo CD helm parameter name). */
  fields?: string[];
  /** Flux image policies (`ns:name`) whose setter markers name this image. */
  imagePolicies?: string[];
}

export type EditStatus = "changed" | "unchanged" | "not-found" | "skipped" | "refused";

/** One changed line. `before`/`after` are the effective image references (`repo:tag@digest`). */
export interface LineChange {
  /** 1-based line in the new content. */
  line: number;
  /** JSON pointer (patch form: prefixed with the document index in multi-document files) of the scalar replaced, added or removed. */
  pointer: string;
  before: string;
  after: string;
}

export interface EditResult {
  status: EditStatus;
  /** Editors that produced the edit, comma separated when several formats share the file. */
  editor?: string;
  /** The new file content (the old content unless status is "changed"). */
  content: string;
  /** RFC 6902 patch against the parsed file (the document, or the array of documents for multi-document files). */
  patch: Operation[];
  /** Distinct digests the changed references carried before the edit. */
  previousDigests: string[];
  changes: LineChange[];
  /** The references to the requested image, as they were before the edit. */
  references: ImageReference[];
  /** Why the file was skipped, refused or not changed. */
  reason?: string;
  /** Informational remarks on a successful edit (for example an anchor edited once for several aliases). */
  notes?: string[];
}

export type { Operation };
