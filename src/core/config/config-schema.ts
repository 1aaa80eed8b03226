import { z } from "zod";
import { digestSchema, imageSchema, nameSchema, principalSchema, repoPathSchema, repoSchema } from "./common.js";

export const autoSchema = z
  .enum(["none", "pr", "merge"])
  .describe("What Stagegate does when an artifact is verified upstream: nothing, open a PR, or open a PR that merges itself when gates pass.");

export const environmentSchema = z.strictObject({
  name: nameSchema.describe("Environment name (used in branch names, check names and deployments)."),
  path: repoPathSchema.describe("Folder holding this environment's manifests."),
  from: z.array(nameSchema).default([]).describe("Upstream environments; the pipeline is a DAG."),
  policy: nameSchema.optional().describe("Policy file name under policies/ (without .yaml); defaults to defaults.policy."),
  auto: autoSchema.optional().describe("Overrides defaults.auto for this environment."),
  description: z.string().max(500).optional().describe("Free text for people reading the configuration."),
});

export const targetSchema = z.strictObject({
  file: repoPathSchema.describe("File to edit, relative to the repo root."),
  fields: z.array(z.string().min(1).max(300)).optional().describe("Explicit field paths (dotted or JSON pointer) holding the image/tag/digest."),
});

export const serviceSchema = z.strictObject({
  name: nameSchema.describe("Service name."),
  image: imageSchema,
  source: repoSchema.optional().describe("Source repository of the service (owner/name)."),
  tier: z.string().max(50).optional().describe("Free-form tier (e.g. critical); policies request reviewers for it with reviewers.byTier."),
  owners: z.array(principalSchema).default([]).describe("Users/teams owning the service; requested as reviewers."),
  migrations: z.enum(["reversible", "forward-only"]).default("reversible").describe("forward-only: rollback across a promotion of this service is refused."),
  keepTag: z.boolean().default(true).describe("Keep the human-readable tag next to the digest when editing (kustomize ignores newTag once a digest is set)."),
  targets: z.record(nameSchema, z.array(targetSchema).min(1)).default({}).describe("Explicit files/fields per environment; otherwise image references are discovered under the environment path."),
});

export const defaultsSchema = z.strictObject({
  policy: nameSchema.default("default").describe("Policy used by environments that name none."),
  auto: autoSchema.default("pr"),
  baseBranch: z.string().max(255).optional().describe("Not supported (a warning): promotions always target the repository's default branch, which the ruleset, deployments and audit follow."),
});

/** `stagegate.yaml` at the root of the environments repository. */
export const configSchema = z
  .strictObject({
    version: z.literal(1).describe("Configuration format version."),
    defaults: defaultsSchema.default({ policy: "default", auto: "pr" }).describe("Settings that apply to every environment unless it sets its own."),
    environments: z.array(environmentSchema).min(1).describe("Environments, in any order; `from` forms the DAG."),
    services: z.array(serviceSchema).default([]).describe("Deployable services."),
  })
  .describe("Stagegate configuration of an environments repository.");

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type Environment = z.infer<typeof environmentSchema>;
export type Service = z.infer<typeof serviceSchema>;
export type Target = z.infer<typeof targetSchema>;
export type Auto = z.infer<typeof autoSchema>;
export { digestSchema };
