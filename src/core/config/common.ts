import { z } from "zod";
import { DURATION_PATTERN } from "./duration.js";

/** Names of environments, services, policies and gates: safe in branch names, paths and check names. */
export const nameSchema = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, "must be lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit");

// A regex rather than a refine, so the generated JSON Schema carries the pattern for editors.
export const durationSchema = z
  .string()
  .max(32)
  .regex(DURATION_PATTERN, "must be a duration such as 30m, 2h, 1d or 1h30m")
  .describe("A duration: digits followed by s, m, h, d or w, combinable (1h30m).");

/** `owner/name` of a GitHub repository. */
export const repoSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/, "must be owner/name")
  .describe("A GitHub repository as owner/name.");

/** A GitHub user login or an `org/team` slug, optionally with a leading `@`. */
export const principalSchema = z
  .string()
  .regex(/^@?[A-Za-z0-9-]{1,39}(\/[A-Za-z0-9._-]{1,100})?$/, "must be a user login or org/team slug")
  .describe("A GitHub user (login) or team (org/team-slug), with or without a leading @.");

/** A relative path inside the environments repo; no `..`, no absolute paths. */
// A regex rather than a refine, so the generated JSON Schema carries the rule: no leading '/', no '..'
// segment, no backslash or NUL.
export const repoPathSchema = z
  .string()
  .min(1)
  .max(512)
  .regex(/^(?!\/)(?!(?:.*\/)?\.\.(?:\/|$))[^\\\0]+$/, "must be a relative path inside the repository (no '..', no leading '/')")
  .describe("A path relative to the environments repository root.");

/** An image repository without tag or digest, e.g. ghcr.io/acme/checkout. */
export const imageSchema = z
  .string()
  .max(255)
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/, "must be an image repository without tag or digest (e.g. ghcr.io/acme/checkout)")
  .describe("Image repository without tag or digest, e.g. ghcr.io/acme/checkout.");

/** An immutable image digest. Digests move between environments, never tags. */
export const digestSchema = z
  .string()
  .regex(/^sha256:[a-f0-9]{64}$/, "must be sha256: followed by 64 lowercase hex characters")
  .describe("An image digest: sha256: and 64 lowercase hex characters.");

/** An http(s) URL. SSRF rules are applied where the URL is fetched (adapters), not here. */
// Not z.url(): its JSON Schema `format: uri` rejects the {{env}}/{{service}} placeholders editors would then flag.
export const urlSchema = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#]+/, { message: "must be an http(s) URL", abort: true })
  .refine((u) => URL.canParse(u), { message: "must be an http(s) URL" })
  .describe("An http(s) URL.");
