import { formatDiagnostic, getPolicy, loadConfiguration, type Diagnostic, type Environment, type GateSpec, type LoadedConfig } from "../core/config/index.js";
import { ConfigError } from "../core/errors.js";
import { toDeploymentFact } from "../core/gates/deployment-facts.js";
import { evaluateGates, summarizeGates, type GateFacts, type GateResult, type SummaryResult } from "../core/gates/index.js";
import { gateName } from "../core/gates/types.js";
import { changedChecks } from "../core/lifecycle/checks.js";
import { diffDeployedDigests, readDeployedDigests } from "../core/lifecycle/digests.js";
import type { DigestChange } from "../core/audit/types.js";
import { silentLogger } from "../core/logger.js";
import { SUMMARY_CHECK } from "../core/plan/index.js";
import type { CheckReport } from "../core/ports/checks.js";
import type { PromotionPullRequest } from "../core/ports/environments-repo.js";
import { CONFIG_FILE, POLICIES_DIR } from "../core/snapshot.js";
import { evaluatePromotion, readOverrides, toCheckReport, type EvaluateOutcome } from "./evaluate-promotion.js";
import { VERIFIER, type LifecycleDeps } from "./lifecycle-deps.js";
import { recordWrittenGates } from "./lifecycle-metrics.js";
import { keepStableHttpChecks, probeGates, withMeasurementBlocks } from "./probes.js";

/** The validation check of a PR that changes stagegate.yaml or policies/. */
export const CONFIG_CHECK = `${SUMMARY_CHECK}/config`;

/** Gates about an artifact: without a digest change in the PR they do not apply. */
const ARTIFACT_GATES = new Set<GateSpec["gate"]>(["upstream", "soak", "source-checks", "vulnerabilities", "metrics"]);

export interface ChangeOutcome {
  status: "not-open" | "evaluated";
  pr: PromotionPullRequest;
  /** Environments whose folders the PR touches. */
  environments: string[];
  results: GateResult[];
  summary?: SummaryResult;
  config?: CheckReport;
  written: string[];
}

/** True when a path is the configuration (stagegate.yaml or a policy file). */
export function isConfigPath(path: string): boolean {
  return path === CONFIG_FILE || path.startsWith(`${POLICIES_DIR}/`);
}

/** The `stagegate/config` report of a configuration read from the PR head (annotated file:line:col). */
export function configCheck(files: ReadonlyMap<string, string>): CheckReport {
  const result = loadConfiguration(files);
  const diagnostics: Diagnostic[] = result.ok ? result.warnings : result.diagnostics;
  const annotations = diagnostics.map((d) => ({ path: d.file, line: d.line, column: d.column, level: d.severity === "error" ? ("failure" as const) : ("warning" as const), message: d.message }));
  const list = diagnostics.map((d) => `- \`${formatDiagnostic(d)}\``).join("\n");
  const note = "Policies and stagegate.yaml are always read from the default branch: this PR's changes take effect only once merged, never on its own gates.";
  if (!result.ok) {
    const errors = diagnostics.filter((d) => d.severity === "error").length;
    return { name: CONFIG_CHECK, status: "completed", conclusion: "failure", title: `${errors} configuration error${errors === 1 ? "" : "s"}`, summary: `${list}\n\n${note}`, annotations };
  }
  const title = diagnostics.length === 0 ? "configuration valid" : `configuration valid, ${diagnostics.length} warning${diagnostics.length === 1 ? "" : "s"}`;
  return { name: CONFIG_CHECK, status: "completed", conclusion: "success", title, summary: `${list ? `${list}\n\n` : ""}${note}`, ...(annotations.length > 0 ? { annotations } : {}) };
}

/** A gate about an artifact in a PR that moves none: reported neutral so the table still lists it. */
function notApplicable(spec: GateSpec): GateResult {
  return { gate: gateName(spec), type: spec.gate, conclusion: "neutral", summary: "no image digest changes in this pull request", details: "This gate is about an artifact; the pull request changes no digest, so it does not apply." };
}

function touches(env: Environment, files: readonly string[]): boolean {
  const prefix = env.path.replace(/\/+$/, "") + "/";
  return files.some((f) => f.startsWith(prefix));
}

/**
 * Gates a pull request that Stagegate did not open (DESIGN.md §3): one touching an environment's
 * folder gets that environment's policy, read from the DEFAULT branch (IaC changes pass the same
 * gates; artifact gates apply when it moves a digest), a PR touching nothing gated gets a green
 * `stagegate`, and one changing stagegate.yaml or policies/ also gets `stagegate/config`, validated on
 * the PR head's files (the summary fails while that configuration is invalid). Writes only changed checks.
 */
export async function evaluateChange(deps: LifecycleDeps, number: number): Promise<ChangeOutcome> {
  const log = (deps.log ?? silentLogger).child({ pr: number });
  const pr = await deps.pulls.getPullRequest(number);
  const outcome: ChangeOutcome = { status: "not-open", pr, environments: [], results: [], written: [] };
  if (pr.state !== "open") return outcome;
  const snapshot = await deps.repo.readSnapshot();
  const base = loadConfiguration(snapshot.files);
  const loaded: LoadedConfig | undefined = base.ok ? base.loaded : undefined;
  const files = await deps.commits.changedFiles(pr.baseRef, pr.headSha);
  const envs = loaded ? loaded.config.environments.filter((e) => touches(e, files)) : [];
  const needsHead = envs.length > 0 || files.some(isConfigPath);
  const head = needsHead ? await deps.commits.readSnapshotAt(pr.headSha) : undefined;
  const config = head && files.some(isConfigPath) ? configCheck(head.files) : undefined;
  // The default branch's configuration must be valid to know the gates; a PR repairing it is judged by its config check.
  if (!loaded && !config) throw new ConfigError(base.ok ? [] : base.diagnostics.map(formatDiagnostic), { oid: snapshot.oid });

  const changes = loaded && head ? diffDeployedDigests(readDeployedDigests(snapshot, loaded), readDeployedDigests(head, loaded)) : [];
  const reviews = envs.length > 0 ? await deps.pulls.listReviews(number) : [];
  const overrides = envs.length > 0 ? readOverrides(await deps.pulls.listComments(number)) : [];
  const results: GateResult[] = [];
  // Metrics and http gates keep their measurements in their own checks (services/probes.ts): read them first.
  const probing = envs.some((e) => getPolicy(loaded!, e).gates.some((g) => g.gate === "metrics" || g.gate === "http"));
  const existing = probing ? await deps.checks.listChecks(pr.headSha) : undefined;
  const httpChecks = new Set<string>();
  for (const env of envs) {
    const policy = getPolicy(loaded!, env);
    const change: DigestChange | undefined = changes.find((c) => c.environment === env.name && c.digest !== undefined);
    const applicable = policy.gates.filter((g) => change || !ARTIFACT_GATES.has(g.gate));
    const teams: Record<string, string[]> = {};
    for (const team of teamsOf(policy.gates, policy.overrides?.teams ?? [])) teams[team] = (await deps.source.listTeamMembers(team)).map((m) => m.toLowerCase());
    const deployments = change ? await deps.deployments.listDeployments({ service: change.service }) : [];
    const facts: GateFacts = {
      deployments: deployments.map((d) => toDeploymentFact(d, { verifier: VERIFIER })),
      pullRequest: { number: pr.number, author: pr.author, headSha: pr.headSha, openedAt: pr.createdAt },
      reviews,
      teams,
      overrides,
    };
    const target = { environment: env.name, service: change?.service ?? "", digest: change?.digest ?? "" };
    const checkName = (g: string) => `${SUMMARY_CHECK}/${envs.length > 1 ? `${env.name}/` : ""}${g}`;
    const probed = existing ? await probeGates(deps, { gates: applicable, target, key: pr.headSha, files: snapshot.files, existing, checkName }) : undefined;
    if (probed) Object.assign(facts, { metrics: probed.metrics, http: probed.http });
    for (const g of probed?.httpGates ?? []) httpChecks.add(checkName(g));
    const plain = evaluateGates({ gates: applicable, ...(policy.overrides ? { overrides: policy.overrides } : {}) }, facts, { now: deps.clock.now(), ...target, upstream: env.from }).results;
    const evaluated = probed ? withMeasurementBlocks(plain, probed.blocks) : plain;
    const byName = new Map(evaluated.map((r) => [r.gate, r]));
    for (const spec of policy.gates) {
      const r = byName.get(gateName(spec)) ?? notApplicable(spec);
      results.push(envs.length > 1 ? { ...r, gate: `${env.name}/${r.gate}` } : r);
    }
  }
  const summary = withConfig(summarizeGates(results), config, envs.length);
  const desired = [...results.map((r) => toCheckReport(`${SUMMARY_CHECK}/${r.gate}`, r)), ...(config ? [config] : []), toCheckReport(SUMMARY_CHECK, summary)];
  const current = existing ?? (await deps.checks.listChecks(pr.headSha));
  const changed = changedChecks(current, keepStableHttpChecks(current, desired, httpChecks));
  if (changed.length > 0) await deps.checks.writeChecks(pr.headSha, changed);
  recordWrittenGates(deps, results, changed, (r) => `${SUMMARY_CHECK}/${r.gate}`);
  log.info({ environments: envs.map((e) => e.name), summary: summary.conclusion, written: changed.map((c) => c.name) }, "change evaluated");
  return { status: "evaluated", pr, environments: envs.map((e) => e.name), results, summary, ...(config ? { config } : {}), written: changed.map((c) => c.name) };
}

/** Teams (`org/slug`, lowercase) named by approvals gates and overrides. */
function teamsOf(gates: readonly GateSpec[], overrideTeams: readonly string[]): string[] {
  const principals = [...overrideTeams];
  for (const gate of gates) if (gate.gate === "approvals") principals.push(...gate.teams, ...gate.users);
  return [...new Set(principals.map((p) => p.replace(/^@/, "").toLowerCase()).filter((p) => p.includes("/")))];
}

/** The summary with the config check folded in (an invalid configuration fails it). */
function withConfig(summary: SummaryResult, config: CheckReport | undefined, environments: number): SummaryResult {
  if (environments === 0 && !config) return { ...summary, summary: "no environment changed: nothing to gate", details: "This pull request touches no environment folder, stagegate.yaml or policy." };
  if (!config) return summary;
  const row = `| ${config.conclusion === "success" ? "✅" : "❌"} | \`${CONFIG_CHECK}\` | ${config.conclusion} | ${config.title} | |`;
  const details = environments === 0 ? ["| | gate | result | why | next evaluation |", "|---|---|---|---|---|", row].join("\n") : `${summary.details}\n${row}`;
  if (config.conclusion !== "failure") return { ...summary, details, summary: environments === 0 ? config.title : summary.summary };
  return { ...summary, conclusion: "failure", summary: environments === 0 ? `invalid configuration: ${config.title}` : `${summary.summary}; invalid configuration`, details };
}

/**
 * Evaluates any pull request to the default branch: Stagegate's promotions and rollbacks by their
 * evidence (evaluatePromotion: may merge), everything else as a change (evaluateChange). Which is which
 * is evaluatePromotion's to say: only Stagegate's own PRs on `stagegate/` branches are promotions (a
 * hand-made PR with a copied block is a change), and Stagegate's PR with a missing or mangled block is
 * refused there, never judged as a change (its requester would be unknown and could approve it).
 */
export async function evaluatePullRequest(deps: LifecycleDeps, number: number): Promise<EvaluateOutcome | ChangeOutcome> {
  const outcome = await evaluatePromotion(deps, number);
  return outcome.status === "not-stagegate" ? evaluateChange(deps, number) : outcome;
}
