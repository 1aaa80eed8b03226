import { z } from "zod";
import { durationSchema, nameSchema, principalSchema, urlSchema } from "./common.js";
import { gateSpecSchema, metricsGateSchema } from "./gate-schemas.js";

/** Who may override gates, and how (DESIGN.md §3 "Overrides"). */
export const overridesSchema = z.strictObject({
  teams: z.array(principalSchema).default([]).describe("Teams whose members may override gates."),
  users: z.array(principalSchema).default([]).describe("Users who may override gates."),
  gates: z.array(nameSchema).optional().describe("Gates that may be overridden; default all except `upstream`."),
  requireSecondPerson: z.boolean().default(false).describe("An override takes effect only when a second authorised person confirms it (/stagegate approve-override)."),
  expiry: durationSchema.default("24h").describe("An override stops counting after this long."),
});

export const mergeSchema = z.strictObject({
  mode: z.enum(["manual", "auto"]).default("manual").describe("auto: Stagegate merges when every gate passes."),
  method: z.enum(["merge", "squash", "rebase"]).default("squash").describe("Merge method used by Stagegate."),
});

export const healthCheckSchema = z.strictObject({
  url: urlSchema.describe("Deep readiness URL; {{env}}, {{service}}, {{digest}} substituted."),
  expect: z.string().max(500).optional().describe("Expression over `status` and `body` that must hold (default: status == 200)."),
  attempts: z.number().int().min(1).max(1000).default(10).describe("Requests made before the check fails."),
  interval: durationSchema.default("30s").describe("Time between attempts."),
  timeout: durationSchema.default("10s").describe("Per-request timeout."),
  allowPrivateNetwork: z.boolean().default(false).describe("Allow loopback/private addresses (link-local and metadata addresses are always refused)."),
});

export const verificationSchema = z.strictObject({
  statuses: z.array(z.string().min(1).max(200)).default([]).describe("Commit status / check run names on the merge commit reported by the deployer (e.g. Argo CD or Flux notifications); `*` wildcards."),
  health: healthCheckSchema.optional().describe("A deep readiness URL Stagegate polls after deploy."),
  metrics: metricsGateSchema.omit({ gate: true }).optional().describe("Metrics analysis after deploy (same fields as the metrics gate)."),
  timeout: durationSchema.default("30m").describe("Verification fails when no verdict is reached in this time."),
});

export const rollbackSchema = z.strictObject({
  mode: z.enum(["pr", "none"]).default("pr").describe("pr: open a rollback PR on failed verification."),
  merge: z.enum(["manual", "auto"]).default("auto").describe("auto: the rollback PR is merged as soon as its gates pass."),
  gates: z.array(gateSpecSchema).default([]).describe("Gates for rollback PRs (the fast path); usually none or approvals."),
});

export const reviewersSchema = z.strictObject({
  teams: z.array(principalSchema).default([]).describe("Teams (org/slug) requested as reviewers."),
  users: z.array(principalSchema).default([]).describe("Users requested as reviewers."),
  serviceOwners: z.boolean().default(true).describe("Request review from the service's owners."),
  byTier: z
    .record(z.string().min(1).max(50), z.array(principalSchema).max(50))
    .default({})
    .describe("Users and teams (org/slug) also requested for services of a tier (services[].tier), e.g. critical: [acme/sre]."),
});

/** A compliance control this policy's gates satisfy (`controls:` of a gate names it); `stagegate audit --by-control` groups evidence by it. */
export const controlSchema = z.strictObject({
  description: z.string().min(1).max(1000).describe("What the control requires, as the auditor reads it (e.g. changes are authorised, tested and approved before production)."),
  environments: z.array(nameSchema).optional().describe("Environments the control covers; default: every environment using this policy."),
});

/** Lifecycle moments a notification can be sent for (docs/notifications.md). */
export const NOTIFICATION_EVENTS = ["opened", "awaiting-approval", "sla-breached", "gate-failed", "merged", "deployed", "verification-failed", "rolled-back", "override-used"] as const;

const envVarName = z.string().regex(/^[A-Z][A-Z0-9_]*$/).max(100);
const notificationBase = {
  urlFromEnv: envVarName.describe("Name of an environment variable of the app holding the webhook URL (secrets never live in the repo)."),
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1).describe("Events sent to this channel."),
  environments: z.array(nameSchema).optional().describe("Only promotions into these environments; default: every environment using this policy."),
};

/** One notification channel of a policy. */
export const notificationSchema = z.discriminatedUnion("channel", [
  z.strictObject({ channel: z.literal("slack").describe("Slack incoming webhook (Block Kit message)."), ...notificationBase }),
  z.strictObject({ channel: z.literal("teams").describe("Microsoft Teams incoming webhook / workflow (message with an Adaptive Card)."), ...notificationBase }),
  z.strictObject({
    channel: z.literal("webhook").describe("Generic JSON POST, signed with HMAC-SHA256 in X-Stagegate-Signature-256."),
    ...notificationBase,
    secretFromEnv: envVarName.describe("Name of an environment variable of the app holding the HMAC secret."),
  }),
]);

/** A policy file `policies/<name>.yaml`. */
export const policySchema = z
  .strictObject({
    version: z.literal(1).default(1).describe("Policy file format version."),
    description: z.string().max(1000).optional().describe("What this policy is for; shown in promotion PRs."),
    gates: z.array(gateSpecSchema).default([]).describe("Gates a promotion into environments using this policy must pass."),
    overrides: overridesSchema.optional().describe("Who may override gates (/stagegate override <gate> reason: …); without it nobody can."),
    merge: mergeSchema.default({ mode: "manual", method: "squash" }).describe("Who merges promotion PRs and how."),
    verification: verificationSchema.optional().describe("How a deployment is verified healthy after the promotion merges."),
    rollback: rollbackSchema.default({ mode: "pr", merge: "auto", gates: [] }).describe("What happens when verification fails."),
    reviewers: reviewersSchema.optional().describe("Who is requested to review promotion PRs."),
    labels: z.array(z.string().min(1).max(50)).default([]).describe("Labels added to promotion PRs."),
    promoters: z.array(principalSchema).default([]).describe("Users/teams allowed to run /stagegate promote into these environments."),
    controls: z.record(z.string().min(1).max(64), controlSchema).optional().describe("Compliance controls (id → description, covered environments) the gates' `controls:` refer to; see docs/compliance.md."),
    notifications: z.array(notificationSchema).max(20).default([]).describe("Where lifecycle events of promotions are sent (Slack, Teams, signed webhook); see docs/notifications.md."),
  })
  .describe("A Stagegate policy: the gates, approvals, overrides, merge, verification and rollback rules of an environment.");

export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
