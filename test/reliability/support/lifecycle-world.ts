/**
 * The lifecycle flows through the real lifecycle handlers against the lifecycle fake GitHub
 * (test/integration/lifecycle/support): gates as check runs, auto-merge, push → deployment,
 * deployment_status → verdict → next stage or rollback. Events are real webhook examples re-targeted
 * at the fake's state; every Octokit the app creates carries the fault plugin.
 */
import { createHash } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { SnapshotCache } from "../../../src/adapters/github/lifecycle.js";
import { registerLifecycleHandlers } from "../../../src/handlers/register-lifecycle.js";
import { APP_ID, getTestPrivateKey, INSTALLATION_ID } from "../../support/github/harness.js";
import { getExample, retarget } from "../../support/github/webhooks.js";
import type { LifecycleGitHub } from "../../integration/lifecycle/support/lifecycle-github.js";
import { ENV_REPO } from "../../integration/lifecycle/support/world.js";
import type { RequestFaults } from "./request-faults.js";

type Payload = Record<string, unknown>;

/** A Probot with the lifecycle handlers on the fake's clock; a fresh snapshot cache (a new process). */
export async function loadLifecycleWithFaults(fake: LifecycleGitHub, faults: RequestFaults): Promise<Probot> {
  const probot = new Probot({
    appId: APP_ID,
    privateKey: getTestPrivateKey(),
    secret: "webhook-secret",
    logLevel: "fatal",
    Octokit: ProbotOctokit.plugin(faults.plugin as never).defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load((app) => {
    registerLifecycleHandlers(app, { appId: fake.app.id, appSlug: fake.app.slug, clock: fake.clock, snapshots: new SnapshotCache() });
  });
  return probot;
}

/** `push` of the default branch from `before` to `after`, listing the files changed in between. */
export function pushEvent(fake: LifecycleGitHub, before: string, after: string): Payload {
  const repo = fake.repo(ENV_REPO);
  const payload = retarget(getExample<Payload & { repository: { name: string; full_name: string; owner: { login: string } } }>("push"), ENV_REPO, INSTALLATION_ID) as unknown as Payload & { commits: unknown[]; head_commit: unknown };
  const a = repo.commits.get(before)!.files;
  const b = repo.commits.get(after)!.files;
  const modified = [...b.keys()].filter((p) => a.has(p) && a.get(p) !== b.get(p));
  const added = [...b.keys()].filter((p) => !a.has(p));
  const removed = [...a.keys()].filter((p) => !b.has(p));
  const commit = { id: after, tree_id: after, distinct: true, message: repo.commits.get(after)!.headline, timestamp: fake.clock.iso(), url: `https://github.com/${ENV_REPO}/commit/${after}`, author: { name: "x", email: "x@example.com" }, committer: { name: "x", email: "x@example.com" }, added, modified, removed };
  return Object.assign(payload, { ref: "refs/heads/main", before, after, created: false, deleted: false, forced: false, commits: [commit], head_commit: commit });
}

/** `deployment_status.created` by a deployer for a deployment of the fake. */
export function deploymentStatusEvent(fake: LifecycleGitHub, deploymentId: number, outcome: "success" | "failure", creator = "argocd"): Payload {
  const state = fake.state(ENV_REPO);
  const deployment = state.deployments.find((d) => d.id === deploymentId)!;
  // The deployer posted the status before GitHub sent the event.
  deployment.statuses.push({ id: state.nextId(), state: outcome, description: `rollout ${outcome}`, createdAt: fake.clock.iso(), creator });
  const payload = retarget(getExample<Payload & { repository: { name: string; full_name: string; owner: { login: string } } }>("deployment_status"), ENV_REPO, INSTALLATION_ID) as unknown as Payload & {
    deployment: Record<string, unknown>;
    deployment_status: Record<string, unknown>;
  };
  Object.assign(payload.deployment, { id: deploymentId, sha: deployment.sha, ref: deployment.sha, environment: deployment.environment, payload: deployment.payload, task: deployment.task });
  Object.assign(payload.deployment_status, { state: outcome, environment: deployment.environment, creator: { ...(payload.deployment_status.creator as object), login: creator, type: "User" } });
  return payload;
}

const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);

/**
 * What must not differ after a repair: the default branch (tree, first-parent subjects), every PR
 * (head, state, labels), Stagegate's latest check run per name on every PR head and on main, the
 * deployments (environment, task, sha, status sequence) and the evidence notes of main's commits.
 */
export function describeLifecycle(fake: LifecycleGitHub): { history: { subject: string; tree: string; note: string | null }[]; [key: string]: unknown } {
  const repo = fake.repo(ENV_REPO);
  const state = fake.state(ENV_REPO);
  const history: { subject: string; tree: string; note: string | null }[] = [];
  for (let c: string | undefined = repo.head().oid; c !== undefined; c = repo.commits.get(c)?.parentOid) {
    const commit = repo.commits.get(c)!;
    history.push({ subject: commit.headline, tree: hash([...commit.files].sort()), note: state.note(c) ?? null });
  }
  const runs = (sha: string) =>
    state
      .latestRuns(sha, fake.app.id)
      .map((r) => ({ name: r.name, status: r.status, conclusion: r.conclusion, title: r.title }))
      .sort((a, b) => a.name.localeCompare(b.name));
  const pulls = repo.pulls
    .map((p) => ({ head: p.head, state: p.state, labels: [...p.labels].sort(), checks: repo.refs.has(p.head) ? runs(repo.head(p.head).oid) : state.merged.has(p.number) ? "merged" : null }))
    .sort((a, b) => a.head.localeCompare(b.head) || a.state.localeCompare(b.state));
  const deployments = state.deployments
    .map((d) => ({ environment: d.environment, task: d.task, sha: d.sha, statuses: d.statuses.map((s) => `${s.creator}:${s.state}`) }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { history, mainChecks: runs(repo.head().oid), pulls, deployments };
}

/** Invariants whatever the fault: one deployment per (environment, task, sha); one open PR per lane; no merge on a red summary. */
export function findLifecycleViolations(fake: LifecycleGitHub): string[] {
  const repo = fake.repo(ENV_REPO);
  const state = fake.state(ENV_REPO);
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const d of state.deployments) seen.set(`${d.environment}/${d.task}@${d.sha}`, (seen.get(`${d.environment}/${d.task}@${d.sha}`) ?? 0) + 1);
  for (const [key, n] of seen) if (n > 1) problems.push(`duplicate deployment ${key} ×${n}`);
  const lanes = new Map<string, number>();
  for (const p of repo.openPulls()) {
    const lane = p.head.split("/").slice(0, 3).join("/");
    lanes.set(lane, (lanes.get(lane) ?? 0) + 1);
  }
  for (const [lane, n] of lanes) if (n > 1) problems.push(`${n} open PRs in lane ${lane}`);
  const heads = new Map<string, number>();
  for (const p of repo.pulls) heads.set(p.head, (heads.get(p.head) ?? 0) + 1);
  for (const [head, n] of heads) if (n > 1) problems.push(`duplicate PR: ${n} PRs for ${head}`);
  return problems;
}
