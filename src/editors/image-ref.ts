/**
 * Container image reference parsing and comparison (distribution/reference grammar, lenient
 * enough for placeholders such as `CONTAINER_IMAGES_REGISTRY/adservice`).
 */
import type { Digest } from "./types.js";

/** A parsed image reference. `image` is the normalised `registry/repository`. */
export interface ParsedImageRef {
  registry: string;
  repository: string;
  image: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);
const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
const ANY_DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]+$/;
/** Strict reference grammar used where a string only *might* be an image (Helm values). */
const STRICT_REF_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{6,})?$/;

/** True for `sha256:` + 64 lowercase hex characters. */
export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

/** True when the string holds template syntax (Helm/Go `{{ }}`, shell/compose `${VAR}`). */
export function isTemplated(s: string): boolean {
  return s.includes("{{") || s.includes("${") || s.includes("$(");
}

/** True when `s` is a syntactically valid image reference (used by heuristics, never by explicit fields). */
export function isImageRef(s: string): boolean {
  return s.length > 0 && s.length < 512 && !s.includes("://") && STRICT_REF_RE.test(s);
}

/**
 * Split a reference into registry, repository, tag and digest. Never throws: a registry is the
 * first path component when it holds a `.` or `:` or is `localhost`; otherwise Docker Hub, where
 * single-component names live under `library/`.
 */
export function parseImageRef(raw: string): ParsedImageRef {
  let rest = raw.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry = "docker.io";
  let repository = rest;
  const slash = rest.indexOf("/");
  if (slash > 0) {
    const first = rest.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      registry = first.toLowerCase();
      repository = rest.slice(slash + 1);
    }
  }
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = "docker.io";
    if (!repository.includes("/")) repository = `library/${repository}`;
  }
  const parsed: ParsedImageRef = { registry, repository, image: `${registry}/${repository}` };
  if (tag !== undefined) parsed.tag = tag;
  if (digest !== undefined) parsed.digest = digest;
  return parsed;
}

/** Normalised repository of a reference (`nginx:1` → `docker.io/library/nginx`). */
export function normaliseImage(raw: string): string {
  return parseImageRef(raw).image;
}

/** True when two references name the same repository (tags and digests ignored). */
export function isSameImage(a: string, b: string): boolean {
  if (a.trim() === "" || b.trim() === "") return false;
  return normaliseImage(a) === normaliseImage(b);
}

/** True when the string looks like any `algo:hex` digest (also truncated ones found in the wild). */
export function looksLikeDigest(s: string): boolean {
  return ANY_DIGEST_RE.test(s);
}

/**
 * The reference with `digest` set, keeping the repository exactly as written. The tag is kept
 * for readability (`repo:tag@sha256:…`), replaced by `newTag` when given and a tag existed.
 */
export function withDigest(raw: string, digest: string, newTag?: string): string {
  const trimmed = raw.trim();
  const at = trimmed.indexOf("@");
  const nameAndTag = at >= 0 ? trimmed.slice(0, at) : trimmed;
  const colon = nameAndTag.lastIndexOf(":");
  const hasTag = colon > nameAndTag.lastIndexOf("/");
  const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = hasTag ? (newTag ?? nameAndTag.slice(colon + 1)) : undefined;
  return `${name}${tag !== undefined ? `:${tag}` : ""}@${digest}`;
}
