import type { DeploymentState } from "../ports/deployments.js";
import type { ProvenanceFacts } from "../provenance/types.js";
import type { PullRequestReview } from "../ports/pull-requests.js";
import type { SourceCheck } from "../ports/source.js";

/**
 * Everything the gates look at, gathered by adapters BEFORE evaluation so evaluation is pure and
 * repeatable (the GitHub adapter collects most of it in one GraphQL query; local mode reads it from
 * git). Absent optional parts mean "not collected": the gates that need them say so.
 *
 * Gate-specific facts (metrics, http) are keyed by gate name (`name` or type), because a policy may
 * use the same gate type twice under different names.
 */
export interface GateFacts {
  /** Deployments of THIS service in every environment (any order). */
  deployments: DeploymentFact[];
  /** The artifact's source commit; absent when the artifact did not say where it came from. */
  sourceCommit?: { repo: string; sha: string };
  /** Check runs and commit statuses on the source commit (see {@link SourceCheckFact}). */
  sourceChecks?: SourceCheckFact[];
  vulnerabilities?: VulnerabilityFacts;
  /** Gate name → measurements taken so far (and the AnalysisTemplate text when the gate references one). */
  metrics?: Record<string, MetricFacts>;
  /** The promotion PR; absent outside a PR (CLI plan). */
  pullRequest?: PullRequestFact;
  /** Reviews of the PR, any order; the approvals gate keeps the latest per user. */
  reviews?: ReviewFact[];
  /**
   * Team `org/slug` (lowercase, no @) → member logins, for every team named by the approvals gates and
   * the overrides of the policy. A team missing here has no members as far as the gates know.
   */
  teams?: Record<string, string[]>;
  /** Gate name → the response the adapter fetched for an http gate (fetchHttpCheck). */
  http?: Record<string, HttpFact>;
  /** `/stagegate override` commands found on the PR (parsed by the handler), any order. */
  overrides?: OverrideFact[];
  /** Gate name → the attestations of the digest, fetched and signature-verified by the adapter (adapters/sigstore). */
  provenance?: Record<string, ProvenanceFacts>;
}

/**
 * One deployment of this service. Derive it from a port Deployment with {@link toDeploymentFact}.
 * `verifiedAt`: when verification declared it healthy. `failedAt`: when it was found failed (revokes
 * it downstream). `endedAt`: when it stopped running (superseded: the deployment went inactive).
 */
export interface DeploymentFact {
  environment: string;
  digest: string;
  state: DeploymentState;
  createdAt: string;
  verifiedAt?: string;
  failedAt?: string;
  endedAt?: string;
}

/**
 * A check run or commit status on the source commit. Commit statuses map as: pending → status
 * `in_progress`; success/failure → completed with that conclusion; error → completed `failure`.
 * When a name appears several times (re-runs), the one with the latest `startedAt` (else the last) wins.
 */
export interface SourceCheckFact extends SourceCheck {
  startedAt?: string;
  url?: string;
}

/** A vulnerability finding, normalised from SARIF, Trivy JSON or a code scanning alert. */
export interface Finding {
  /** CVE-…, GHSA-…, or the rule id. */
  id: string;
  severity: Severity;
  /** Package, file or location, for the report. */
  where?: string;
  title?: string;
}

export type Severity = "critical" | "high" | "medium" | "low" | "none";

/** A code scanning alert as the REST/GraphQL API returns it (only the fields used). */
export interface CodeScanningAlert {
  number?: number;
  state?: "open" | "dismissed" | "fixed" | "closed" | string;
  html_url?: string;
  rule: { id?: string; name?: string; security_severity_level?: "critical" | "high" | "medium" | "low" | null; severity?: "error" | "warning" | "note" | "none" | null };
}

export interface VulnerabilityFacts {
  /**
   * Reports linked from the artifact, already fetched: `document` is the parsed JSON (SARIF 2.1.0 or
   * Trivy JSON; the gate detects which), or `findings` when the adapter parsed them itself.
   */
  reports?: { source: string; document?: unknown; findings?: Finding[]; error?: string }[];
  /** Open code scanning alerts of the source commit's repository/ref; absent when not collected. */
  codeScanningAlerts?: CodeScanningAlert[];
  /** Where the alerts come from (`acme/api at refs/heads/main`), shown in the gate's details. */
  codeScanningSource?: string;
  /** Why reports could not be fetched (shown to the user). */
  error?: string;
}

/** One measurement of a metrics gate: the query result (vector as number[], scalar as number) or an error. */
export interface MeasurementFact {
  /** When it was taken (ISO 8601). */
  at: string;
  /** The query result as Argo's `result`: a vector is a list of numbers, a scalar a number. */
  value?: unknown;
  /** Set when the query failed (timeout, 5xx, bad PromQL); such a measurement counts as an error. */
  phase?: "error";
  message?: string;
}

export interface MetricFacts {
  /** Oldest first (the gate sorts by `at` anyway). */
  measurements: MeasurementFact[];
  /** Text of the AnalysisTemplate named by the gate's `analysisTemplate`, read from the snapshot. */
  analysisTemplate?: string;
}

export interface PullRequestFact {
  number?: number;
  author: string;
  headSha: string;
  /** Who asked for the promotion (comment, dispatch sender, CLI user). */
  requestedBy?: string;
  openedAt: string;
  /** Login of the artifact's source commit author. */
  artifactAuthor?: string;
}

/**
 * A review. Same shape as the PullRequestsPort's reviews, plus the reviewer's association with the
 * repository: when an approvals gate names no teams and no users, only OWNER/MEMBER/COLLABORATOR count.
 */
export interface ReviewFact extends PullRequestReview {
  authorAssociation?: "OWNER" | "MEMBER" | "COLLABORATOR" | "CONTRIBUTOR" | "FIRST_TIME_CONTRIBUTOR" | "FIRST_TIMER" | "MANNEQUIN" | "NONE";
}

/** The response of an http gate's request, or why there is none. */
export interface HttpFact {
  url: string;
  at: string;
  status?: number;
  /** Parsed JSON when the body was JSON, else the text. */
  body?: unknown;
  /** Network error, timeout, refused by the SSRF guard, body too large… */
  error?: string;
}

/** `/stagegate override <gate> reason: …` and its optional confirmation by a second person. */
export interface OverrideFact {
  /** Gate name (check suffix) being overridden. */
  gate: string;
  by: string;
  reason: string;
  at: string;
  confirmedBy?: string;
  confirmedAt?: string;
  /** Link to the comment, for the evidence. */
  url?: string;
}
