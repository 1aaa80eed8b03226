import { z } from "zod";
import { artifactSchema } from "../artifact.js";
import { digestSchema, nameSchema } from "../config/common.js";

/**
 * Version of the machine-readable evidence block. Readers accept this version and older ones they
 * know; new optional fields do not bump it (unknown keys are dropped on parse, so an older
 * Stagegate can still read a newer block), a change of meaning does.
 */
export const EVIDENCE_VERSION = 1;

const commitRefSchema = z.strictObject({
  repo: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/),
  sha: z.string().regex(/^[a-f0-9]{40}$/),
});

/** A digest the environment ran before this promotion, with its source commit when known. */
export const previousArtifactSchema = z.strictObject({
  digest: digestSchema,
  tag: z.string().max(128).optional(),
  source: commitRefSchema.optional(),
});

/** One file the promotion edits. */
export const evidenceFileSchema = z.strictObject({
  path: z.string().min(1).max(512),
  editor: z.string().min(1).max(64),
  /** Number of lines changed in the file. */
  lines: z.number().int().min(0),
});

/** One gate the promotion must pass, as reported in the check `check`. */
export const evidenceGateSchema = z.strictObject({
  name: nameSchema,
  gate: z.string().min(1).max(64),
  check: z.string().min(1).max(100),
  description: z.string().max(500).optional(),
});

/** Who must approve, from an `approvals` gate of the policy. */
export const approvalRequirementSchema = z.strictObject({
  gate: nameSchema,
  count: z.number().int().min(1),
  teams: z.array(z.string().max(150)),
  users: z.array(z.string().max(100)),
});

/**
 * The evidence of one promotion or rollback: what moves where, from what, under which rules.
 * Rendered into the PR body (human part + machine-readable block) and, on merge, into git notes.
 * Other modules extend it with gate results, approvals given and deployments: add optional fields.
 */
export const evidenceSchema = z.object({
  version: z.literal(EVIDENCE_VERSION),
  kind: z.enum(["promotion", "rollback"]),
  service: nameSchema,
  environment: nameSchema,
  policy: nameSchema,
  from: nameSchema.optional(),
  requestedBy: z.string().max(100).optional(),
  reason: z.string().max(1000).optional(),
  artifact: artifactSchema,
  previous: z.array(previousArtifactSchema),
  files: z.array(evidenceFileSchema),
  /** Files under the environment that reference the image but were not edited (templated…), and why. */
  skipped: z.array(z.strictObject({ path: z.string().min(1).max(512), reason: z.string().max(1000) })).optional(),
  gates: z.array(evidenceGateSchema),
  approvals: z.array(approvalRequirementSchema),
  reviewers: z.strictObject({ users: z.array(z.string().max(100)), teams: z.array(z.string().max(150)) }),
});

export type Evidence = z.infer<typeof evidenceSchema>;
export type PreviousArtifact = z.infer<typeof previousArtifactSchema>;
export type EvidenceFile = z.infer<typeof evidenceFileSchema>;
export type EvidenceGate = z.infer<typeof evidenceGateSchema>;
export type ApprovalRequirement = z.infer<typeof approvalRequirementSchema>;
