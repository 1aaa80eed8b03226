/**
 * The lifecycle tests' world (written for these tests): an environments repo with a DAG
 * dev → staging, dev → perf, (staging + perf) → prod, a reversible and a forward-only service, and a
 * source repository; plus helpers to load the lifecycle handlers and deliver real webhook payloads.
 */
import type { EvidenceSeal } from "../../../../src/core/evidence/seal.js";
import { FakeRepo } from "../../../support/github/fake-state.js";
import { createTestClient, createTestProbot, INSTALLATION_ID } from "../../../support/github/harness.js";
import { getExample, retarget } from "../../../support/github/webhooks.js";
import { registerLifecycleHandlers } from "../../../../src/handlers/register-lifecycle.js";
import { SnapshotCache } from "../../../../src/adapters/github/lifecycle.js";
import { GitHubEnvironmentsRepo } from "../../../../src/adapters/github/environments-repo.js";
import type { Artifact } from "../../../../src/core/artifact.js";
import { promote } from "../../../../src/services/promote.js";
import type { Probes } from "../../../../src/services/probes.js";
import type { LifecycleGitHub } from "./lifecycle-github.js";

export const DIGEST_OLD = `sha256:${"0".repeat(64)}`;
export const DIGEST_A = `sha256:${"a".repeat(64)}`;
export const DIGEST_B = `sha256:${"b".repeat(64)}`;
export const SOURCE_SHA = "1".repeat(40);
export const ENV_REPO = "acme/environments";

export const kustomization = (env: string, digest: string, image = "ghcr.io/acme/checkout") => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-${env}
images:
  - name: ${image}
    digest: ${digest}
`;

const CONFIG = `version: 1
environments:
  - name: dev
    path: environments/dev
    policy: dev
  - name: staging
    path: environments/staging
    from: [dev]
    policy: staging
  - name: perf
    path: environments/perf
    from: [dev]
    policy: dev
  - name: prod
    path: environments/prod
    from: [staging, perf]
    policy: prod
services:
  - name: checkout
    image: ghcr.io/acme/checkout
    source: acme/checkout
  - name: ledger
    image: ghcr.io/acme/ledger
    source: acme/ledger
    migrations: forward-only
`;

export const POLICIES: Record<string, string> = {
  "policies/dev.yaml": `version: 1
merge:
  mode: auto
  method: squash
verification:
  statuses: ["argocd/*", "kustomization/*"]
  timeout: 30m
`,
  "policies/staging.yaml": `version: 1
gates:
  - gate: upstream
  - gate: soak
    duration: 1h
  - gate: approvals
    count: 1
    teams: [acme/release-managers]
    sla: 4h
    escalate:
      mention: [acme/release-managers]
      requestReviewFrom: [acme/release-managers]
  - gate: source-checks
    checks: [build]
overrides:
  teams: [acme/sre]
  expiry: 24h
verification:
  statuses: ["argocd/*"]
  timeout: 30m
`,
  "policies/prod.yaml": `version: 1
gates:
  - gate: upstream
  - gate: approvals
    count: 1
    teams: [acme/release-managers]
  - gate: window
    timezone: UTC
overrides:
  teams: [acme/sre]
  requireSecondPerson: true
  expiry: 12h
`,
};

/** Files of the environments repo. */
export function environmentsFiles(): Record<string, string> {
  const files: Record<string, string> = { "stagegate.yaml": CONFIG, ...POLICIES, "README.md": "# environments\n" };
  for (const env of ["dev", "staging", "perf", "prod"]) {
    files[`environments/${env}/checkout/kustomization.yaml`] = kustomization(env, DIGEST_OLD);
    files[`environments/${env}/ledger/kustomization.yaml`] = kustomization(env, DIGEST_OLD, "ghcr.io/acme/ledger");
  }
  return files;
}

/** The world with one policy file (`policies/<name>.yaml`) replaced. */
export function worldWithPolicy(name: string, yaml: string): FakeRepo[] {
  const files = environmentsFiles();
  files[`policies/${name}.yaml`] = yaml;
  return createLifecycleWorld(files);
}

/**
 * Opens a promotion PR through the real promote service, as alice asked for it (or `options.requestedBy`):
 * checkout at DIGEST_A built from SOURCE_SHA unless `artifact` says otherwise, its evidence sealed with
 * `options.seal` when given. Returns its number.
 */
export async function openPromotion(environment: string, artifact: Partial<Artifact> = {}, options: { seal?: EvidenceSeal; requestedBy?: string } = {}): Promise<number> {
  const repo = new GitHubEnvironmentsRepo(createTestClient(), { owner: "acme", repo: "environments" });
  const outcome = await promote({ repo, ...(options.seal ? { seal: options.seal } : {}) }, { artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest: DIGEST_A, source: { repo: "acme/checkout", sha: SOURCE_SHA }, ...artifact }, environment, requestedBy: options.requestedBy ?? "alice" });
  return outcome.pr!.number;
}

/** The head commit of PR `number` in the environments repo. */
export function headOf(fake: LifecycleGitHub, number: number): string {
  const repo = fake.repo(ENV_REPO);
  return repo.refs.get(repo.pulls.find((p) => p.number === number)!.head)!.oid;
}

/** The environments repo (teams: release-managers = rita, rob; sre = sam, sue) and the source repo. */
export function createLifecycleWorld(files = environmentsFiles()): FakeRepo[] {
  const environments = new FakeRepo(ENV_REPO, files);
  environments.teams.set("release-managers", { id: "T_release", members: new Set(["rita", "rob"]) });
  environments.teams.set("sre", { id: "T_sre", members: new Set(["sam", "sue"]) });
  environments.labels.set("promotion", "LA_promotion");
  const source = new FakeRepo("acme/checkout", { "README.md": "# checkout\n" });
  // The artifact's source commit, as CI built it.
  source.commits.set(SOURCE_SHA, { oid: SOURCE_SHA, parentOid: source.head().oid, files: new Map(source.head().files), headline: "feat: faster checkout", body: "" });
  return [environments, source];
}

/** A Probot with the lifecycle handlers, on the fake's clock, with a fresh snapshot cache. */
export async function loadLifecycleApp(fake: LifecycleGitHub, options: { snapshots?: SnapshotCache; probes?: Probes; seal?: EvidenceSeal } = {}) {
  const probot = createTestProbot();
  let shared: ReturnType<typeof registerLifecycleHandlers> | undefined;
  await probot.load((app) => {
    shared = registerLifecycleHandlers(app, { appId: fake.app.id, appSlug: fake.app.slug, clock: fake.clock, snapshots: options.snapshots ?? new SnapshotCache(), ...(options.probes ? { probes: options.probes } : {}), ...(options.seal ? { seal: options.seal } : {}) });
  });
  return { probot, shared: shared! };
}

type Payload = Record<string, unknown>;

/** A real pull_request example re-targeted at a PR of the fake. */
export function pullRequestEvent(fake: LifecycleGitHub, number: number, action = "opened"): Payload {
  const repo = fake.repo(ENV_REPO);
  const pull = repo.pulls.find((p) => p.number === number)!;
  const payload = retarget(getExample<Payload>("pull_request", (e) => e.action === "opened"), ENV_REPO, INSTALLATION_ID) as unknown as Payload & { pull_request: Record<string, unknown>; action: string };
  payload.action = action;
  const head = repo.refs.get(pull.head)?.oid ?? pull.head;
  Object.assign(payload.pull_request, {
    number,
    state: pull.state === "OPEN" ? "open" : "closed",
    body: pull.body,
    head: { ...(payload.pull_request.head as object), ref: pull.head, sha: head },
    base: { ...(payload.pull_request.base as object), ref: "main", sha: repo.head().oid },
  });
  if (action === "edited") payload.changes = { body: { from: "" } };
  return payload;
}

/** Delivers an event. */
export function deliver(probot: Awaited<ReturnType<typeof loadLifecycleApp>>["probot"], name: string, payload: Payload, id = `d-${Math.random().toString(36).slice(2)}`) {
  return probot.receive({ id, name, payload } as never);
}

/** A real push example as a push of `after` onto the default branch. */
export function pushEvent(fake: LifecycleGitHub, before: string, after: string, changed: string[]): Payload {
  const payload = retarget(getExample<Payload>("push", (e) => (e.commits as unknown[]).length > 0) as never, ENV_REPO, INSTALLATION_ID) as unknown as Payload & { commits: Record<string, unknown>[] };
  const template = payload.commits[0]!;
  return Object.assign(payload, { ref: "refs/heads/main", before, after, created: false, deleted: false, forced: false, commits: [{ ...template, id: after, added: [], removed: [], modified: changed }], head_commit: { ...template, id: after, added: [], removed: [], modified: changed } });
}

/** A real status example: `context` reported `state` on `sha` of `repo`. */
export function statusEvent(repo: string, sha: string, context: string, state: "pending" | "success" | "failure" | "error", description = `${context} ${state}`): Payload {
  const payload = retarget(getExample<Payload>("status") as never, repo, INSTALLATION_ID) as unknown as Payload;
  return Object.assign(payload, { sha, context, state, description, target_url: `https://argocd.example.com/applications/${encodeURIComponent(context)}` });
}

/** A real deployment_status example: `creator` posted `state` on deployment `id`. */
export function deploymentStatusEvent(fake: LifecycleGitHub, id: number, state: string, creator = "deploy-workflow[bot]"): Payload {
  const d = fake.state(ENV_REPO).deployments.find((x) => x.id === id)!;
  const payload = retarget(getExample<Payload>("deployment_status") as never, ENV_REPO, INSTALLATION_ID) as unknown as Payload & { deployment: Record<string, unknown>; deployment_status: Record<string, unknown> };
  Object.assign(payload.deployment, { id, sha: d.sha, ref: d.sha, environment: d.environment, task: d.task, payload: d.payload });
  Object.assign(payload.deployment_status, { state, description: `rollout ${state}`, creator: { ...(payload.deployment_status.creator as object), login: creator } });
  return payload;
}

/** A PR opened by a person from branch `branch` with `changes` on top of main. */
export function openHandMadePr(fake: LifecycleGitHub, author: string, branch: string, changes: Record<string, string>, title = "hand-made change"): number {
  const repo = fake.repo(ENV_REPO);
  repo.refs.set(branch, { id: `REF_${branch}`, oid: repo.head().oid });
  repo.push(branch, changes, title);
  const pull = repo.createPull({ baseRefName: "main", headRefName: branch, title, body: "Bumping by hand." }, fake.clock.iso());
  fake.state(ENV_REPO).authors.set(pull.number, author);
  return pull.number;
}

/** Latest conclusion (or status) of each of the app's checks on `sha`. */
export function checksOn(fake: LifecycleGitHub, sha: string): Record<string, string> {
  return Object.fromEntries(fake.state(ENV_REPO).latestRuns(sha, fake.app.id).map((r) => [r.name, r.conclusion ?? r.status]));
}

/** A real issue_comment example on PR `number` by `login`. */
export function commentEvent(fake: LifecycleGitHub, number: number, login: string, body: string): Payload {
  const pull = fake.repo(ENV_REPO).pulls.find((p) => p.number === number)!;
  fake.state(ENV_REPO).comment(number, login, body, fake.clock.iso());
  const payload = retarget(getExample<Payload>("issue_comment", (e) => e.action === "created") as never, ENV_REPO, INSTALLATION_ID) as unknown as Payload & { issue: Record<string, unknown>; comment: Record<string, unknown>; sender: Record<string, unknown> };
  Object.assign(payload.issue, { number, body: pull.body, pull_request: { url: `https://api.github.com/repos/${ENV_REPO}/pulls/${number}` } });
  Object.assign(payload.comment, { body, user: { ...(payload.comment.user as object), login } });
  Object.assign(payload.sender, { login, type: "User" });
  return payload;
}
