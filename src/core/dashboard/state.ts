/**
 * Builds the dashboard's {@link DashboardState} from what the ports returned: the default branch's
 * snapshot, the deployments, the open promotion PRs with their checks. Pure: the service gathers,
 * this decides (health per cell, pending approvals against their SLA, freezes evaluated now,
 * overrides in force, recent rollbacks, DORA headline).
 */
import type { AuditRow } from "../audit/types.js";
import { computeDora, productionEnvironments } from "../audit/dora.js";
import { parseDuration } from "../config/duration.js";
import { getEnvironment, getPolicy, type LoadedConfig } from "../config/loaded.js";
import { toDeploymentFact } from "../gates/deployment-facts.js";
import { GATE_EVALUATORS } from "../gates/registry.js";
import { getDeployed, readDeployedDigests } from "../lifecycle/digests.js";
import { parsePromotionBranch } from "../plan/branch.js";
import { gateName, gatesFor, SUMMARY_CHECK } from "../plan/metadata.js";
import type { CheckReport } from "../ports/checks.js";
import type { Deployment } from "../ports/deployments.js";
import type { PromotionPullRequest } from "../ports/environments-repo.js";
import type { RepoSnapshot } from "../snapshot.js";
import type { ActiveFreeze, DashboardCell, DashboardPullRequest, DashboardState, GateGlance, PendingApproval, RecentRollback } from "./types.js";

const DAY = 86_400_000;
/** Rollbacks shown: the last ones within this long. */
const ROLLBACK_WINDOW = 14 * DAY;
const MAX_ROLLBACKS = 10;
/** DORA window of the headline figures. */
export const DORA_WINDOW_DAYS = 30;

export interface DashboardInputs {
  now: Date;
  repo?: string;
  snapshot: RepoSnapshot;
  loaded: LoadedConfig;
  /** Newest first (DeploymentsPort.listDeployments). */
  deployments: readonly Deployment[];
  /** Open promotion PRs with Stagegate's checks on their head. */
  pulls: readonly { pr: PromotionPullRequest; checks: readonly CheckReport[] }[];
  /** Creator of Stagegate's verdict statuses: only its success counts as verified. */
  verifier: string;
}

/** Health and digest of every (environment, service), as `stagegate status` has always shown them. */
export function buildCells(snapshot: RepoSnapshot, loaded: LoadedConfig, deployments: readonly Deployment[], verifier: string): DashboardCell[] {
  const running = readDeployedDigests(snapshot, loaded);
  const cells: DashboardCell[] = [];
  for (const service of loaded.config.services) {
    for (const env of loaded.config.environments) {
      const digests = getDeployed(running, env.name, service.name)?.digests ?? [];
      if (digests.length === 0) {
        cells.push({ environment: env.name, service: service.name, digests: [], health: "absent" });
        continue;
      }
      // Files that disagree: a deployment of one of the digests must not make the cell read healthy.
      if (digests.length > 1) {
        cells.push({ environment: env.name, service: service.name, digests, health: "mixed" });
        continue;
      }
      const latest = deployments.find((d) => d.environment === env.name && d.service === service.name && digests.includes(d.digest));
      if (!latest) {
        cells.push({ environment: env.name, service: service.name, digests, health: "initial" });
        continue;
      }
      const fact = toDeploymentFact(latest, { verifier });
      const health = fact.failedAt ? "failed" : fact.verifiedAt ? "healthy" : "deploying";
      cells.push({ environment: env.name, service: service.name, digests: [latest.digest], health, since: fact.failedAt ?? fact.verifiedAt ?? latest.createdAt });
    }
  }
  return cells;
}

function glance(check: CheckReport): GateGlance {
  const state = check.status === "in_progress" ? "pending" : (check.conclusion ?? "neutral");
  return { name: check.name.replace(/^stagegate\//, ""), state, title: check.title };
}

function pullRequestOf(pr: PromotionPullRequest, checks: readonly CheckReport[]): DashboardPullRequest {
  const branch = parsePromotionBranch(pr.branch);
  const summary = checks.find((c) => c.name === SUMMARY_CHECK);
  return {
    number: pr.number,
    title: pr.title,
    url: pr.url,
    kind: branch?.kind,
    environment: branch?.environment,
    service: branch?.service,
    openedAt: pr.createdAt,
    summary: summary ? glance(summary) : undefined,
    gates: checks.filter((c) => c.name !== SUMMARY_CHECK && c.name.startsWith("stagegate/")).map(glance).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Approvals gates of the PR's environment policy whose check is still in progress. */
function pendingApprovals(inputs: DashboardInputs, pr: DashboardPullRequest, checks: readonly CheckReport[]): PendingApproval[] {
  const env = pr.environment ? getEnvironment(inputs.loaded, pr.environment) : undefined;
  if (!env) return [];
  const out: PendingApproval[] = [];
  for (const spec of gatesFor(getPolicy(inputs.loaded, env), pr.kind ?? "promotion")) {
    if (spec.gate !== "approvals") continue;
    const check = checks.find((c) => c.name === `stagegate/${gateName(spec)}`);
    if (check?.status !== "in_progress") continue;
    const ageMs = Math.max(0, inputs.now.getTime() - Date.parse(pr.openedAt));
    const slaMs = spec.sla !== undefined ? parseDuration(spec.sla) : undefined;
    out.push({ number: pr.number, title: pr.title, url: pr.url, gate: gateName(spec), environment: env.name, openedAt: pr.openedAt, ageMs, slaMs, breached: slaMs !== undefined && ageMs >= slaMs, waiting: check.title });
  }
  return out;
}

/** Window gates of each environment's promotion policy, evaluated at `now`; only those refusing promotions. */
export function activeFreezes(loaded: LoadedConfig, now: Date): ActiveFreeze[] {
  const out: ActiveFreeze[] = [];
  for (const env of loaded.config.environments) {
    for (const spec of gatesFor(getPolicy(loaded, env), "promotion")) {
      if (spec.gate !== "window") continue;
      const result = GATE_EVALUATORS.window(spec, { deployments: [] }, { now, environment: env.name, service: "", digest: "", upstream: env.from });
      if (result.conclusion === "success" || result.conclusion === "neutral") continue;
      const state = result.conclusion === "failure" ? "misconfigured" : result.summary.startsWith("frozen") ? "frozen" : "closed";
      out.push({ environment: env.name, gate: gateName(spec), state, summary: result.summary, until: result.nextEvaluationAt });
    }
  }
  return out;
}

/** Rollback deployments of the last two weeks, newest first. */
function recentRollbacks(deployments: readonly Deployment[], now: Date): RecentRollback[] {
  return deployments
    .filter((d) => d.kind === "rollback" && now.getTime() - Date.parse(d.createdAt) <= ROLLBACK_WINDOW)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, MAX_ROLLBACKS)
    .map((d) => ({ environment: d.environment, service: d.service, digest: d.digest, from: d.payload.previousDigest, at: d.createdAt, reason: d.payload.reason, pullRequest: d.payload.pullRequest }));
}

/** Numeric ids in numeric order, any other in text order. */
function byId(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.localeCompare(b);
}

/** Deployments as audit rows, so DORA is computed by the audit's own definitions. */
export function deploymentRows(deployments: readonly Deployment[], verifier: string): AuditRow[] {
  // Oldest first, as computeDora reads them: by creation, then by id (GitHub's ids grow with creation).
  const ordered = [...deployments].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || byId(a.id, b.id));
  return ordered.map((d) => {
    const fact = toDeploymentFact(d, { verifier });
    return {
      time: d.createdAt,
      environment: d.environment,
      service: d.service,
      digest: d.digest,
      previous: d.payload.previousDigest,
      kind: d.kind,
      commit: d.ref,
      authoredAt: d.createdAt,
      sourceCommittedAt: d.payload.artifact?.source?.committedAt,
      pr: d.payload.pullRequest,
      approvedBy: [],
      duties: "none",
      dutiesViolations: [],
      gates: [],
      overrides: [],
      deployment: fact.failedAt ? "failure" : fact.verifiedAt ? "success" : undefined,
      deployedAt: fact.failedAt ?? fact.verifiedAt,
      hasNote: false,
    } satisfies AuditRow;
  });
}

/** Gathers everything into the dashboard's state. */
export function buildDashboardState(inputs: DashboardInputs): DashboardState {
  const { loaded, now } = inputs;
  const pullRequests = inputs.pulls.map(({ pr, checks }) => pullRequestOf(pr, checks)).sort((a, b) => a.number - b.number);
  const approvals = inputs.pulls.flatMap(({ pr, checks }) => pendingApprovals(inputs, pullRequestOf(pr, checks), checks)).sort((a, b) => b.ageMs - a.ageMs || a.number - b.number);
  const overrides = pullRequests.flatMap((pr) => pr.gates.filter((g) => /^overridden\b/i.test(g.title)).map((g) => ({ number: pr.number, url: pr.url, gate: g.name, title: g.title })));
  const environments = productionEnvironments(loaded.config.environments);
  const dora = computeDora(deploymentRows(inputs.deployments, inputs.verifier), { window: DORA_WINDOW_DAYS * DAY, now, environments });
  return {
    repo: inputs.repo,
    ref: inputs.snapshot.ref,
    oid: inputs.snapshot.oid,
    generatedAt: now.toISOString(),
    environments: loaded.config.environments.map((e) => e.name),
    services: loaded.config.services.map((s) => s.name),
    cells: buildCells(inputs.snapshot, loaded, inputs.deployments, inputs.verifier),
    pullRequests,
    approvals,
    rollbacks: recentRollbacks(inputs.deployments, now),
    freezes: activeFreezes(loaded, now),
    overrides,
    dora: {
      windowDays: DORA_WINDOW_DAYS,
      environments: dora.environments,
      deploymentsPerDay: dora.deploymentFrequency.perDay,
      deploymentBand: dora.deploymentFrequency.band,
      leadTimeMs: dora.leadTime.medianMs,
      leadTimeBand: dora.leadTime.band,
      changeFailureRate: dora.changeFailureRate.rate,
      changeFailureBand: dora.changeFailureRate.band,
      timeToRestoreMs: dora.timeToRestore.medianMs,
      timeToRestoreBand: dora.timeToRestore.band,
    },
  };
}
