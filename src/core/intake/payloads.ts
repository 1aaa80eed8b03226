/**
 * Intake payloads (DESIGN.md §2 step 1), validated with zod before anything touches GitHub. Every path
 * (repository_dispatch, the HTTP intake route, the CLI) carries the same artifact fields; the image may
 * be omitted and is then taken from the service's configuration.
 */
import { z } from "zod";
import { digestSchema, imageSchema, nameSchema, repoSchema, urlSchema } from "../config/common.js";

/** `client_payload` of a `repository_dispatch` with `event_type: stagegate.artifact`. */
export const artifactPayloadSchema = z.strictObject({
  service: nameSchema.describe("Service name as declared in stagegate.yaml."),
  image: imageSchema.optional().describe("Image repository; defaults to the service's image."),
  digest: digestSchema,
  tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a valid image tag").optional(),
  source: z
    .strictObject({
      repo: repoSchema,
      sha: z.string().regex(/^[a-f0-9]{40}$/, "must be a 40-character commit sha"),
      author: z.string().max(100).optional(),
    })
    .optional(),
  buildUrl: urlSchema.optional(),
  scanUrl: urlSchema.optional(),
  provenanceUrl: urlSchema.optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
  environment: nameSchema.optional().describe("Environment to promote into; defaults to the pipeline's entry environments."),
});

export type ArtifactPayload = z.infer<typeof artifactPayloadSchema>;

/** Body of `POST /stagegate/intake`: the dispatch payload plus the environments repository. */
export const httpIntakeSchema = artifactPayloadSchema.extend({
  repository: repoSchema.describe("The environments repository (owner/name); the app must be installed on it."),
});

export type HttpIntakeBody = z.infer<typeof httpIntakeSchema>;

/** The `event_type` Stagegate listens to on repository_dispatch. */
export const DISPATCH_EVENT_TYPE = "stagegate.artifact";

/** Formats zod issues as `path: message` lines for replies users read. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`);
}
