import { z } from "zod";
import { durationSchema, nameSchema, principalSchema, repoPathSchema, urlSchema } from "./common.js";

/**
 * Parameters of each gate of DESIGN.md §3. Every gate entry in a policy's `gates:` list is one of
 * these, discriminated by `gate`. A new gate adds its schema here and its evaluator in core/gates.
 */
const base = {
  name: nameSchema.optional().describe("Check name suffix (stagegate/<name>); defaults to the gate type. Lets a policy use a gate twice."),
  description: z.string().max(500).optional().describe("Shown in the check run summary."),
  controls: z.array(z.string().min(1).max(64)).max(50).optional().describe("Compliance control ids this gate satisfies (e.g. SOC2-CC8.1)."),
};

/** The environment variables an http gate may send as headers: never the app's own credentials (PRIVATE_KEY, WEBHOOK_SECRET…). */
export const HEADER_VARIABLE = /^STAGEGATE_HTTP_[A-Z0-9_]+$/;

export const upstreamGateSchema = z.strictObject({
  gate: z.literal("upstream").describe("The digest is deployed and verified healthy in every upstream environment."),
  ...base,
  environments: z.array(nameSchema).optional().describe("Upstream environments to require; defaults to the environment's `from`."),
});

export const soakGateSchema = z.strictObject({
  gate: z.literal("soak").describe("The digest has been healthy upstream for at least `duration`."),
  ...base,
  duration: durationSchema.describe("Minimum time healthy in every upstream environment."),
});

export const sourceChecksGateSchema = z.strictObject({
  gate: z.literal("source-checks").describe("Named check runs / statuses on the artifact's source commit succeeded."),
  ...base,
  checks: z.array(z.string().min(1).max(200)).min(1).describe("Check run or status names; `*` matches any run of characters."),
  allowNeutral: z.boolean().default(true).describe("Count neutral and skipped conclusions as passing."),
});

const severityLimits = z.strictObject({
  critical: z.number().int().min(0).optional().describe("Maximum critical findings."),
  high: z.number().int().min(0).optional().describe("Maximum high findings."),
  medium: z.number().int().min(0).optional().describe("Maximum medium findings."),
  low: z.number().int().min(0).optional().describe("Maximum low findings."),
});

/** Environment variables sent as headers: only STAGEGATE_HTTP_*, never the app's own credentials. */
const headersFromEnvSchema = z.record(
  z.string().max(100),
  z.string().regex(HEADER_VARIABLE, "must name a variable starting with STAGEGATE_HTTP_ (the only ones a policy may send: never the app's own credentials)"),
);

/** `scheme://host[:port]`, nothing after it. */
const originSchema = z
  .string()
  .max(300)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) && new URL(value).origin === value, { message: "must be an origin: http(s)://host[:port], no path or trailing slash" });

/** How a vulnerabilities gate reads a linked report that needs credentials or lives on the internal network. */
const reportAccessSchema = z.strictObject({
  origins: z.array(originSchema).min(1).max(20).describe("Origins (http(s)://host[:port]) of the scan reports this applies to. A report the artifact links elsewhere is read as before: public addresses only, no headers."),
  headersFromEnv: headersFromEnvSchema.default({}).describe("Header name → environment variable of the app holding its value (STAGEGATE_HTTP_* only), sent only to these origins (and dropped on a redirect elsewhere)."),
  allowPrivateNetwork: z.boolean().default(false).describe("Let these origins resolve to loopback or private addresses (an internal scanner); link-local and metadata addresses are always refused."),
});

export const vulnerabilitiesGateSchema = z.strictObject({
  gate: z.literal("vulnerabilities").describe("Scan findings per severity are within limits."),
  ...base,
  max: severityLimits.describe("Maximum findings allowed per severity; an absent severity is unlimited."),
  source: z.enum(["report", "code-scanning", "any"]).default("any").describe("Where findings come from: the SARIF/Trivy report linked from the artifact, code scanning alerts of the source repo, or whichever is available."),
  ignore: z.array(z.string().min(1).max(100)).default([]).describe("Finding ids (CVE-…, GHSA-…, rule ids) accepted by the team."),
  requireReport: z.boolean().default(true).describe("Fail when no report is available (otherwise neutral)."),
  report: reportAccessSchema.optional().describe("Credentials (and private-network access) for linked reports on named origins: the URL comes from whoever sent the artifact, so a secret is only ever sent to the origins listed here."),
});

export const prometheusProviderSchema = z.strictObject({
  address: urlSchema.describe("Prometheus base URL."),
  query: z.string().min(1).max(4000).describe("PromQL query; {{env}}, {{service}} and {{digest}} are substituted."),
});

export const metricsGateSchema = z.strictObject({
  gate: z.literal("metrics").describe("A Prometheus query meets successCondition over count measurements (Argo Rollouts AnalysisTemplate semantics)."),
  ...base,
  analysisTemplate: repoPathSchema.optional().describe("Path of an Argo Rollouts AnalysisTemplate whose first metric is used; fields below override it."),
  metric: z.string().max(100).optional().describe("Name of the metric to use from the AnalysisTemplate (default: the first)."),
  args: z.record(z.string().max(100), z.string().max(1000)).optional().describe("Values of the AnalysisTemplate's args ({{args.<name>}}); {{env}}, {{service}} and {{digest}} are substituted in them. Args the template gives a value keep it unless set here."),
  prometheus: prometheusProviderSchema.optional().describe("Prometheus to query; required unless analysisTemplate names one."),
  successCondition: z.string().max(500).optional().describe("Expression over `result` (e.g. result[0] >= 0.99)."),
  failureCondition: z.string().max(500).optional().describe("Expression over `result`; true marks the measurement failed."),
  // No zod defaults on the fields below: an AnalysisTemplate's values must win over defaults but lose to
  // values the policy sets, so "not set" has to survive parsing. core/gates/metric-spec.ts applies the defaults.
  count: z.number().int().min(1).max(1000).optional().describe("Number of measurements (default: the AnalysisTemplate's, else 1)."),
  interval: durationSchema.optional().describe("Time between measurements (default: the AnalysisTemplate's, else 1m)."),
  failureLimit: z.number().int().min(0).optional().describe("Failed measurements tolerated before the gate fails (default: the AnalysisTemplate's, else 0)."),
  inconclusiveLimit: z.number().int().min(0).optional().describe("Inconclusive measurements tolerated before the gate is inconclusive (neutral) (default: the AnalysisTemplate's, else 0)."),
  consecutiveErrorLimit: z.number().int().min(0).optional().describe("Consecutive query errors tolerated (default: the AnalysisTemplate's, else 4)."),
});

const cronWindowSchema = z.strictObject({
  schedule: z.string().min(1).max(120).describe("Cron expression (5 fields, or @hourly/@daily/@weekly/@monthly/@yearly) opening the window, in the gate's timezone."),
  duration: durationSchema.describe("How long the window stays open after each start."),
  reason: z.string().max(300).optional().describe("Shown in the check run when this window decides the gate."),
});

const fixedWindowSchema = z.strictObject({
  from: z.iso.datetime({ offset: true, local: true }).describe("Start (ISO 8601; local times are in the gate's timezone)."),
  to: z.iso.datetime({ offset: true, local: true }).describe("End (exclusive)."),
  reason: z.string().max(300).optional().describe("Shown in the check run when this freeze blocks a promotion."),
});

export const windowGateSchema = z.strictObject({
  gate: z.literal("window").describe("Now is inside an allowed window and outside every freeze."),
  ...base,
  timezone: z.string().min(1).max(64).default("UTC").describe("IANA timezone for schedules and local times (e.g. Europe/Berlin)."),
  allow: z.array(cronWindowSchema).default([]).describe("Windows in which promotion is allowed; empty means always."),
  freezes: z.array(z.union([cronWindowSchema, fixedWindowSchema])).default([]).describe("Periods in which promotion is refused, recurring (schedule) or fixed (from/to)."),
});

export const approvalsGateSchema = z.strictObject({
  gate: z.literal("approvals").describe("N approvals from the named teams/users, with separation of duties."),
  ...base,
  count: z.number().int().min(1).max(20).default(1).describe("Approvals required."),
  teams: z.array(principalSchema).default([]).describe("Teams (org/slug) whose members' approvals count."),
  users: z.array(principalSchema).default([]).describe("Users whose approvals count."),
  separationOfDuties: z.boolean().default(true).describe("The artifact's author, the PR author and the requester never count."),
  dismissStale: z.boolean().default(true).describe("Approvals given on an older head do not count."),
  sla: durationSchema.optional().describe("After this long without enough approvals, escalate."),
  escalate: z
    .strictObject({
      mention: z.array(principalSchema).default([]).describe("Mentioned in a PR comment on SLA breach."),
      requestReviewFrom: z.array(principalSchema).default([]).describe("Review requested on SLA breach."),
    })
    .optional()
    .describe("What happens when the SLA passes without enough approvals."),
});

export const httpGateSchema = z.strictObject({
  gate: z.literal("http").describe("A web request returns what an expression expects."),
  ...base,
  url: urlSchema.describe("URL to request; {{env}}, {{service}}, {{digest}} substituted."),
  method: z.enum(["GET", "POST", "HEAD"]).default("GET").describe("HTTP method."),
  headersFromEnv: headersFromEnvSchema
    .default({})
    .describe("Header name → name of an environment variable of the app holding its value (secrets never live in the repo); only variables named STAGEGATE_HTTP_*, so a policy can never send the app's own credentials (PRIVATE_KEY, WEBHOOK_SECRET…)."),
  expectStatus: z.array(z.number().int().min(100).max(599)).default([200]).describe("Response statuses that count as success."),
  successCondition: z.string().max(500).optional().describe("Expression over `status` and `body` (parsed JSON when possible)."),
  timeout: durationSchema.default("10s").describe("Request timeout."),
  allowPrivateNetwork: z.boolean().default(false).describe("Allow loopback/private addresses (link-local and metadata addresses are always refused)."),
});

export const provenanceGateSchema = z.strictObject({
  gate: z.literal("provenance").describe("The artifact's digest carries a signature-verified build attestation (GitHub artifact attestation, Sigstore bundle) from the expected repository, workflow and ref."),
  ...base,
  repository: z.string().regex(/^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/).describe("Source repository (owner/name) that must have built the artifact; its attestations are read from there."),
  workflow: z.string().regex(/^\.github\/workflows\/[^@\s]+\.ya?ml$/).max(300).optional().describe("Path of the workflow that must have run the build (e.g. .github/workflows/release.yml); any workflow when absent."),
  ref: z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1)]).optional().describe("Git ref(s) the build must have run on (refs/heads/main, refs/tags/v*); `*` matches any run of characters. Any ref when absent."),
  predicateType: z.string().min(1).max(300).default("https://slsa.dev/provenance/v1").describe("in-toto predicate type the attestation must carry."),
  signerIdentity: z.string().min(1).max(500).optional().describe("Pattern the signing certificate's identity (subject alternative name, e.g. https://github.com/acme/build/.github/workflows/reusable.yml@refs/heads/main) must match; `*` wildcards."),
  issuer: z.string().min(1).max(300).default("https://token.actions.githubusercontent.com").describe("OIDC issuer recorded in the signing certificate."),
});

/** Every gate type. */
export const gateSpecSchema = z.discriminatedUnion("gate", [
  upstreamGateSchema,
  soakGateSchema,
  sourceChecksGateSchema,
  vulnerabilitiesGateSchema,
  metricsGateSchema,
  windowGateSchema,
  approvalsGateSchema,
  httpGateSchema,
  provenanceGateSchema,
]);

export type GateSpec = z.infer<typeof gateSpecSchema>;
export type GateType = GateSpec["gate"];
export type GateSpecOf<T extends GateType> = Extract<GateSpec, { gate: T }>;
export const GATE_TYPES = gateSpecSchema.options.map((o) => o.shape.gate.value) as GateType[];
