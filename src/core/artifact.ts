import { z } from "zod";
import { digestSchema, imageSchema, nameSchema, repoSchema, urlSchema } from "./config/common.js";

/**
 * An artifact: one image digest of one service, with what we know of where it came from.
 * Every intake path (registry_package, repository_dispatch, HTTP, comment, CLI) produces this.
 */
export const artifactSchema = z.strictObject({
  service: nameSchema,
  image: imageSchema,
  digest: digestSchema,
  tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "must be a valid image tag").optional(),
  source: z
    .strictObject({
      repo: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/),
      sha: z.string().regex(/^[a-f0-9]{40}$/, "must be a 40-character commit sha"),
      author: z.string().max(100).optional().describe("Login of the source commit author (separation of duties)."),
      committedAt: z.iso.datetime({ offset: true }).optional(),
    })
    .optional(),
  buildUrl: urlSchema.optional(),
  scanUrl: urlSchema.optional(),
  provenanceUrl: urlSchema.optional(),
  createdAt: z.iso.datetime({ offset: true }).optional(),
});

export type Artifact = z.infer<typeof artifactSchema>;

/** A request to promote an artifact into one environment. */
export const promotionRequestSchema = z.strictObject({
  artifact: artifactSchema,
  environment: nameSchema,
  requestedBy: z.string().max(100).optional().describe("Login of whoever asked (separation of duties)."),
  /** Upstream environment this promotion comes from (Stagegate-From trailer); absent for the first stage. */
  from: nameSchema.optional(),
  /** A rollback sets a previous digest back. */
  kind: z.enum(["promotion", "rollback"]).default("promotion"),
  /** For rollbacks: the deployment/promotion being rolled back. */
  reason: z.string().max(1000).optional(),
});

export type PromotionRequest = z.infer<typeof promotionRequestSchema>;
export type PromotionRequestInput = z.input<typeof promotionRequestSchema>;

export { repoSchema };
