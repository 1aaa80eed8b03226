/**
 * The promotion flow through the real GitHub App (Probot + the Stagegate app) against the
 * contract-checked fake GitHub, with the fault plugin in every Octokit the app creates; and the end
 * state of the environments repository reduced to what must not differ after a repair.
 */
import { createHash } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { createStagegateApp } from "../../../src/app/app.js";
import type { FakeGitHub, FakeRepo } from "../../support/github/fake-github.js";
import { APP_ID, getTestPrivateKey } from "../../support/github/harness.js";
import type { RequestFaults } from "./request-faults.js";

/** A Probot with the Stagegate app whose Octokits carry the fault plugin (retries and throttling off). */
export async function loadAppWithFaults(faults: RequestFaults, options: { environmentsRepo?: string } = {}): Promise<Probot> {
  const probot = new Probot({
    appId: APP_ID,
    privateKey: getTestPrivateKey(),
    secret: "webhook-secret",
    logLevel: "fatal",
    Octokit: ProbotOctokit.plugin(faults.plugin as never).defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(createStagegateApp({ STAGEGATE_REGISTRY_HOST: "ghcr.io", ...(options.environmentsRepo ? { STAGEGATE_ENVIRONMENTS_REPO: options.environmentsRepo } : {}) }), {
    cwd: process.cwd(),
    addHandler: () => undefined,
  });
  return probot;
}

/** One webhook delivery. */
export interface Delivery {
  name: string;
  payload: Record<string, unknown>;
}

/** Delivers an event; returns the error the app raised (Probot rethrows handler failures), if any. */
export async function deliver(probot: Probot, delivery: Delivery, id: string): Promise<unknown> {
  try {
    await probot.receive({ id, name: delivery.name, payload: delivery.payload } as never);
    return undefined;
  } catch (error) {
    return error;
  }
}

const treeHash = (files: ReadonlyMap<string, string>) =>
  createHash("sha256")
    .update(JSON.stringify([...files].sort(([a], [b]) => a.localeCompare(b))))
    .digest("hex")
    .slice(0, 16);

/**
 * The environments repository as the user sees it, without incidental ids: PRs by head branch (state,
 * base, title, body, labels, reviewers, the tree on the head and the number of close comments), the
 * Stagegate branches and their trees, and the default branch's tree. PR numbers are replaced by the
 * head branch they belong to, since a failed attempt may consume a number.
 */
export function describeRepo(repo: FakeRepo): unknown {
  const byNumber = new Map(repo.pulls.map((p) => [p.number, p.head]));
  const renumber = (text: string) => text.replace(/#(\d+)/g, (m, n: string) => (byNumber.has(Number(n)) ? `#<${byNumber.get(Number(n))}>` : m)).replace(/\/pull\/(\d+)/g, (m, n: string) => (byNumber.has(Number(n)) ? `/pull/<${byNumber.get(Number(n))}>` : m));
  const teamById = new Map([...repo.teams].map(([slug, t]) => [t.id, slug]));
  const userById = new Map([...repo.collaborators].map(([login, id]) => [id, login]));
  const pulls = repo.pulls
    .map((p) => ({
      head: p.head,
      base: p.base,
      state: p.state,
      title: p.title,
      body: renumber(p.body),
      labels: [...p.labels].sort(),
      reviewers: [...p.requestedUserIds.map((id) => userById.get(id) ?? id), ...p.requestedTeamIds.map((id) => teamById.get(id) ?? id)].sort(),
      headTree: repo.refs.has(p.head) ? treeHash(repo.head(p.head).files) : null,
      comments: p.comments.map(renumber),
    }))
    .sort((a, b) => a.head.localeCompare(b.head) || a.state.localeCompare(b.state));
  const branches = [...repo.refs.keys()]
    .filter((name) => name !== repo.defaultBranch)
    .sort()
    .map((name) => ({ name, tree: treeHash(repo.head(name).files) }));
  return { main: treeHash(repo.head().files), pulls, branches };
}

/** Safety invariants that hold whatever the fault: one PR per head, no Stagegate branch without an open PR. */
export function findInvariantViolations(repo: FakeRepo): string[] {
  const problems: string[] = [];
  const heads = new Map<string, number>();
  for (const p of repo.pulls) heads.set(p.head, (heads.get(p.head) ?? 0) + 1);
  for (const [head, n] of heads) if (n > 1) problems.push(`duplicate PR: ${n} PRs for ${head}`);
  const lanes = new Map<string, number>();
  for (const p of repo.openPulls()) {
    const lane = p.head.split("/").slice(0, 3).join("/");
    lanes.set(lane, (lanes.get(lane) ?? 0) + 1);
  }
  for (const [lane, n] of lanes) if (n > 1) problems.push(`${n} open PRs in lane ${lane}`);
  for (const name of repo.refs.keys()) {
    if (name.startsWith("stagegate/") && !repo.openPulls().some((p) => p.head === name)) problems.push(`orphan branch ${name}`);
  }
  return problems;
}

/** Requests the app sent (excluding token minting), as `name` or `METHOD path`. */
export function requestNames(fake: FakeGitHub): string[] {
  return fake.apiRequests().map((r) => (r.kind === "graphql" ? r.name : `${r.method} ${r.path}`));
}
