import { getEnvironment, getPolicy, parseDuration, type LoadedConfig } from "../core/config/index.js";
import { toDeploymentFact } from "../core/gates/deployment-facts.js";
import { matchGlob } from "../core/gates/glob.js";
import { shortDigest } from "../core/plan/index.js";
import type { Deployment, DeploymentStatus } from "../core/ports/deployments.js";
import { VERIFIER, type LifecycleDeps } from "./lifecycle-deps.js";
import { leadTimeSeconds, metricsOf } from "./lifecycle-metrics.js";
import { analyzeVerificationMetrics } from "./probes.js";

export type Verdict = "verified" | "failed" | "pending" | "inactive";

export interface VerifyOutcome {
  deployment: Deployment;
  verdict: Verdict;
  /** True when this call posted the verdict (false when it was already known or is still pending). */
  changed: boolean;
  detail: string;
}

/** `{{env}}`, `{{service}}`, `{{digest}}` in a verification URL. */
function expand(url: string, d: Deployment): string {
  return url.replaceAll("{{env}}", encodeURIComponent(d.environment)).replaceAll("{{service}}", encodeURIComponent(d.service)).replaceAll("{{digest}}", encodeURIComponent(d.digest));
}

const HEALTH_ATTEMPT = "health check attempt";

/**
 * Whether a status is the deployer's report: a named (commit) status counts only when its name matches
 * one of the policy's `verification.statuses` patterns (every name does when the list is empty); a
 * status without a name is a deployment status, which only the deployer posts.
 */
export function isDeployerReport(status: DeploymentStatus, patterns: readonly string[]): boolean {
  if (status.context === undefined || patterns.length === 0) return true;
  return patterns.some((pattern) => matchGlob(pattern, status.context!));
}

/**
 * Advances the verification of one deployment (DESIGN.md §2 step 5), level-triggered: reads the
 * statuses posted so far and posts Stagegate's verdict when one is reached.
 *
 * - the deployer (Argo CD, Flux, a workflow, `stagegate deploy-status`) reports failure → failed;
 * - it reports success → verified, after the policy's `verification.health` request succeeds (one
 *   attempt per call once `interval` has passed; failed after `attempts` failures);
 * - no verdict within `verification.timeout` of the deployment → failed.
 */
export async function verifyDeployment(deps: LifecycleDeps, deployment: Deployment, loaded: LoadedConfig): Promise<VerifyOutcome> {
  const done = (verdict: Verdict, detail: string): VerifyOutcome => ({ deployment, verdict, changed: false, detail });
  // Only Stagegate's own statuses are verdicts; the deployer's failure is evidence for one (below).
  const own = deployment.statuses.filter((s) => s.creator === VERIFIER);
  if (own.some((s) => s.state === "failure" || s.state === "error")) return done("failed", "failed");
  if (own.some((s) => s.state === "success")) return done("verified", "verified");
  if (toDeploymentFact(deployment, { verifier: VERIFIER }).endedAt) return done("inactive", "superseded before a verdict");
  const env = getEnvironment(loaded, deployment.environment);
  const verification = env ? getPolicy(loaded, env).verification : undefined;
  const now = deps.clock.now();
  const post = async (state: DeploymentStatus["state"], description: string): Promise<void> => {
    await deps.deployments.addDeploymentStatus(deployment.id, { state, description, creator: VERIFIER });
  };
  const verdict = async (v: "verified" | "failed", description: string): Promise<VerifyOutcome> => {
    await post(v === "verified" ? "success" : "failure", description);
    recordVerdict(deps, deployment, v, now);
    return { deployment, verdict: v, changed: true, detail: description };
  };

  const patterns = verification?.statuses ?? [];
  const deployer = deployment.statuses.filter((s) => s.creator !== VERIFIER && s.state !== "inactive" && isDeployerReport(s, patterns)).at(-1);
  if (deployer && (deployer.state === "failure" || deployer.state === "error")) {
    return verdict("failed", `Verification failed: the deployer reported ${deployer.state} (${deployer.description})`);
  }
  const timeoutMs = parseDuration(verification?.timeout ?? "30m");
  const timedOut = now.getTime() - Date.parse(deployment.createdAt) >= timeoutMs;
  if (deployer?.state !== "success") {
    if (timedOut) return verdict("failed", `Verification failed: no successful rollout reported within ${verification?.timeout ?? "30m"}`);
    return done("pending", "waiting for the deployer to report the rollout");
  }
  if (verification?.metrics) {
    // Metrics analysis after deploy: one measurement per call at most, kept in a check on the deployment's commit.
    const files = verification.metrics.analysisTemplate !== undefined ? (await deps.repo.readSnapshot()).files : new Map<string, string>();
    const analysis = await analyzeVerificationMetrics(deps, { deployment, metrics: verification.metrics, files, upstream: env?.from ?? [] });
    if (analysis.conclusion === "pending") return done("pending", `metrics analysis running: ${analysis.summary}`);
    if (analysis.conclusion !== "success") return verdict("failed", clip(`Verification failed: metrics analysis ${analysis.summary}`));
  }
  const health = verification?.health;
  if (!health) return verdict("verified", `Verified: the deployer reported success (${deployer.description})`);
  if (!deps.health) {
    if (timedOut) return verdict("failed", "Verification failed: a health check is configured but no health prober is available");
    return done("pending", "health check configured; no prober available");
  }
  const attempts = deployment.statuses.filter((s) => s.creator === VERIFIER && s.description.startsWith(HEALTH_ATTEMPT));
  const last = attempts.at(-1);
  if (last && now.getTime() - Date.parse(last.createdAt) < parseDuration(health.interval)) return done("pending", "next health check not due yet");
  const url = expand(health.url, deployment);
  const probe = await deps.health(url, health);
  if (probe.ok) return verdict("verified", `Verified healthy: ${url} ${probe.detail}`);
  const n = attempts.length + 1;
  if (n >= health.attempts || timedOut) return verdict("failed", `Verification failed: ${url} ${probe.detail} (attempt ${n}/${health.attempts})`);
  await post("in_progress", `${HEALTH_ATTEMPT} ${n}/${health.attempts} failed: ${probe.detail}`);
  return { deployment, verdict: "pending", changed: false, detail: `health check ${n}/${health.attempts} of sha256:${shortDigest(deployment.digest)} failed: ${probe.detail}` };
}

/** GitHub keeps 140 characters of a deployment status description. */
function clip(text: string): string {
  return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}

/** Counts a verdict Stagegate posted; a verified deployment also observes the artifact's lead time. */
function recordVerdict(deps: LifecycleDeps, deployment: Deployment, verdict: "verified" | "failed", now: Date): void {
  const metrics = metricsOf(deps);
  metrics.recordDeployment({ environment: deployment.environment, result: verdict === "verified" ? "success" : "failure" });
  const seconds = verdict === "verified" ? leadTimeSeconds(deployment, now) : undefined;
  if (seconds !== undefined) metrics.observeLeadTime({ environment: deployment.environment, seconds });
}
