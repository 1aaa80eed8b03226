/**
 * EnvironmentsRepoPort on GitHub. A promotion costs at most three requests whatever the number of files
 * and gates: the snapshot query, the OPEN mutation and (when there are labels or reviewers) DECORATE.
 * Idempotent by construction: the branch name is deterministic and GitHub refuses a second ref or a
 * second open PR for the same head, so concurrent or redelivered events converge on one PR.
 */
import { ConflictError, NotFoundError, StagegateError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { silentLogger } from "../../core/logger.js";
import type { PromotionPlan } from "../../core/plan-types.js";
import type { EnvironmentsRepoPort, PromotionPullRequest } from "../../core/ports/environments-repo.js";
import type { RepoSnapshot } from "../../core/snapshot.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { formatRepoRef } from "./client.js";
import { callGitHub, classifyGraphqlError, getGraphqlErrors, getGraphqlPartialData, translateGitHubError } from "./errors.js";
import type { OpenMode } from "./promotion-mutations.js";
import { buildCloseMutation, buildDecorateMutation, buildOpenMutation, buildReviewerQuery, getLanePrefix, getReviewerRequest, PULL_REQUEST_QUERY, splitCommitMessage } from "./promotion-mutations.js";
import type { PromotionBranch, RawPullRequest, RawRef, RawSnapshot, RawSubtree } from "./snapshot-query.js";
import { BRANCH_PREFIX, BRANCH_QUERY, flattenTree, getConfigText, getRelevantPrefixes, getRootEntries, OPEN_PROMOTIONS_QUERY, SNAPSHOT_QUERY, SUBTREE_QUERY, toPromotionBranch, toPullRequest } from "./snapshot-query.js";

/** What one snapshot query taught us besides the files: node ids and the open promotion branches. */
export interface RepoState {
  repositoryId: string;
  nameWithOwner: string;
  ownerIsOrganization: boolean;
  labelIds: Map<string, string>;
  branches: Map<string, PromotionBranch>;
}

/** Follow-up queries allowed for folders deeper than TREE_DEPTH before giving up. */
const MAX_SUBTREE_QUERIES = 20;

type PullRequestWithIds = RawPullRequest & {
  headRef?: { id: string } | null;
  lane?: { refs: { nodes: RawRef[] } } | null;
  repository?: { owner?: Record<string, { id: string } | null>; [alias: string]: unknown };
};

interface OpenResponse {
  createPullRequest?: { pullRequest: PullRequestWithIds | null } | null;
  [alias: string]: unknown;
}

/** The environments repository on GitHub, through one installation's client. */
export class GitHubEnvironmentsRepo implements EnvironmentsRepoPort {
  readonly repo: RepoRef;
  #client: GitHubClient;
  #log: Logger;
  #state: RepoState | undefined;
  /** True while #state.branches reflects every write this instance made. */
  #fresh = false;

  constructor(client: GitHubClient, repo: RepoRef, log: Logger = silentLogger) {
    this.#client = client;
    this.repo = repo;
    this.#log = log.child({ environmentsRepo: formatRepoRef(repo) });
  }

  /** Node ids and open branches of the last snapshot (undefined before readSnapshot). */
  get state(): RepoState | undefined {
    return this.#state;
  }

  async readSnapshot(): Promise<RepoSnapshot> {
    const context = { operation: "readSnapshot", repo: formatRepoRef(this.repo) };
    const raw = await callGitHub(context, () => this.#client.graphql<RawSnapshot>(SNAPSHOT_QUERY, { owner: this.repo.owner, name: this.repo.repo, refPrefix: `refs/heads/${BRANCH_PREFIX}` }));
    const repository = raw.repository;
    if (!repository) throw new NotFoundError(`repository ${formatRepoRef(this.repo)} not found or not accessible to the app`, context);
    const head = repository.defaultBranchRef;
    if (!head) throw new NotFoundError(`repository ${formatRepoRef(this.repo)} is empty (no default branch)`, context);
    const entries = getRootEntries(raw);
    const prefixes = getRelevantPrefixes(getConfigText(entries));
    const result = flattenTree(entries, prefixes);
    for (let i = 0; result.unexpanded.length > 0; i++) {
      if (i >= MAX_SUBTREE_QUERIES) throw new StagegateError(`the environments repository is nested too deeply to read (${result.unexpanded[0]!.path})`, context);
      const next = result.unexpanded.shift()!;
      const sub = await callGitHub({ ...context, path: next.path }, () =>
        this.#client.graphql<RawSubtree>(SUBTREE_QUERY, { owner: this.repo.owner, name: this.repo.repo, expression: `${head.target.oid}:${next.path}` }),
      );
      flattenTree(sub.repository?.object?.entries ?? [], prefixes, result);
    }
    this.#state = {
      repositoryId: repository.id,
      nameWithOwner: repository.nameWithOwner,
      ownerIsOrganization: repository.owner.__typename === "Organization",
      labelIds: new Map((repository.labels?.nodes ?? []).map((l) => [l.name, l.id])),
      branches: new Map((repository.refs?.nodes ?? []).map((r) => toPromotionBranch(r, "prefix-relative")).map((b) => [b.name, b])),
    };
    this.#fresh = true;
    this.#log.debug({ oid: head.target.oid, files: result.files.size, openBranches: this.#state.branches.size }, "snapshot read");
    return { ref: head.name, oid: head.target.oid, files: result.files };
  }

  async listOpenPromotions(): Promise<PromotionPullRequest[]> {
    if (!this.#state || !this.#fresh) {
      const raw = await callGitHub({ operation: "listOpenPromotions", repo: formatRepoRef(this.repo) }, () =>
        this.#client.graphql<{ repository: { refs: { nodes: RawRef[] } } | null }>(OPEN_PROMOTIONS_QUERY, { owner: this.repo.owner, name: this.repo.repo, refPrefix: `refs/heads/${BRANCH_PREFIX}` }),
      );
      const branches = (raw.repository?.refs.nodes ?? []).map((r) => toPromotionBranch(r, "prefix-relative"));
      if (this.#state) this.#state.branches = new Map(branches.map((b) => [b.name, b]));
      return branches.flatMap((b) => (b.pr ? [stripId(b.pr)] : []));
    }
    return [...this.#state.branches.values()].flatMap((b) => (b.pr ? [stripId(b.pr)] : []));
  }

  async openPromotion(plan: PromotionPlan): Promise<{ pr: PromotionPullRequest; created: boolean; lane?: PromotionPullRequest[] }> {
    const log = this.#log.child({ branch: plan.branch });
    if (!this.#state) await this.readSnapshot();
    const state = this.#state as RepoState;
    const existing = state.branches.get(plan.branch);
    if (existing?.pr) {
      log.info({ pr: existing.pr.number }, "promotion PR already open for this branch");
      await this.#repairLabels(existing.pr.id, plan, existing.pr.labels, log);
      return { pr: stripId(existing.pr), created: false };
    }
    const mode: OpenMode = !existing ? "create" : isPlannedCommit(existing, plan) ? "pr-only" : "reset";
    if (existing) log.warn({ mode, headOid: existing.headOid }, "promotion branch exists without a PR; repairing");
    const missingLabels = plan.labels.filter((l) => !state.labelIds.has(l));
    const { request: reviewers, skipped } = getReviewerRequest(plan.reviewers, this.repo.owner);
    if (skipped.length > 0) log.warn({ skipped }, "reviewer teams outside the repository owner cannot be requested");
    const { query, variables } = buildOpenMutation({ mode, plan, repositoryId: state.repositoryId, nameWithOwner: state.nameWithOwner, ownerIsOrganization: state.ownerIsOrganization, refId: existing?.refId, missingLabels, reviewers });
    const context = { operation: "openPromotion", repo: formatRepoRef(this.repo), branch: plan.branch, mode };
    this.#fresh = false;
    let data: OpenResponse;
    let fieldErrors: { message: string; type?: string; path?: (string | number)[] }[] = [];
    try {
      data = await this.#client.graphql<OpenResponse>(query, variables);
    } catch (error) {
      const errors = getGraphqlErrors(error);
      if (!errors) throw translateGitHubError(error, context);
      data = getGraphqlPartialData<OpenResponse>(error) ?? {};
      fieldErrors = errors;
    }
    const created = data.createPullRequest?.pullRequest;
    if (created) {
      // A failed createRef/commit next to a created PR means a concurrent delivery wrote the same branch first.
      if (fieldErrors.length > 0) log.info({ errors: fieldErrors.map((e) => e.message) }, "promotion PR created; other fields reported errors");
      const pr = toPullRequest(created);
      missingLabels.forEach((name, i) => {
        const id = (data[`label${i}`] as { label?: { id: string } } | null | undefined)?.label?.id;
        if (id) state.labelIds.set(name, id);
        else log.warn({ label: name }, "label could not be created; the next delivery adds it");
      });
      const labelIds = plan.labels.flatMap((name) => state.labelIds.get(name) ?? []);
      const ids = getReviewerIds(created, reviewers);
      if (ids.unresolved.length > 0) log.warn({ unresolved: ids.unresolved }, "some reviewers could not be resolved (not collaborators, or unknown teams)");
      state.branches.set(plan.branch, { name: plan.branch, refId: created.headRef?.id ?? "", headOid: pr.headSha, headHeadline: undefined, headParentOid: plan.baseOid, pr });
      // Refs of the lane are named relative to the lane prefix; remember them so closing one needs no lookup.
      const lane = (created.lane?.refs.nodes ?? []).map((r) => toPromotionBranch({ ...r, name: getLanePrefix(plan.branch) + r.name }, "branch"));
      for (const b of lane) if (b.name !== plan.branch) state.branches.set(b.name, b);
      await this.#decorateWithIds(pr.id, labelIds, ids.userIds, ids.teamIds, log);
      log.info({ pr: pr.number, files: plan.files.length }, "promotion PR opened");
      return { pr: stripId(pr), created: true, ...(created.lane ? { lane: lane.flatMap((b) => (b.pr ? [stripId(b.pr)] : [])) } : {}) };
    }
    const kinds = fieldErrors.map(classifyGraphqlError);
    if (kinds.includes("conflict")) {
      // Another delivery created the branch or the PR first: return its PR, or let the next event repair it.
      const branch = await this.#readBranch(plan.branch);
      if (branch?.pr) {
        log.info({ pr: branch.pr.number }, "a concurrent delivery opened this promotion PR");
        return { pr: stripId(branch.pr), created: false };
      }
      throw new ConflictError(`branch ${plan.branch} is being written by another delivery`, { ...context, errors: fieldErrors.map((e) => e.message) });
    }
    throw translateGitHubError(fieldErrors.length > 0 ? errorFromEntries(fieldErrors) : new Error("createPullRequest returned no pull request"), context);
  }

  /**
   * Finishes an open promotion PR whose DECORATE never ran (the process crashed after OPEN, or DECORATE
   * failed): when planned labels are missing, applies them and requests the planned reviewers (one query
   * for their ids, one DECORATE). Free when every planned label is present, so a plain redelivery still
   * costs one query. Labels are the marker: a plan without labels cannot tell, and is left alone.
   */
  async ensureDecorated(plan: PromotionPlan, pr: PromotionPullRequest): Promise<void> {
    if (plan.labels.every((l) => pr.labels.includes(l))) return;
    // Repair path only: node ids of the PR and labels come from a fresh snapshot (the lifecycle's cached one has none).
    if (!this.#state || !this.#fresh) await this.readSnapshot();
    const state = this.#state as RepoState;
    const branch = state.branches.get(plan.branch);
    const current = branch?.pr?.number === pr.number ? branch.pr : undefined;
    const missing = plan.labels.filter((l) => !(current ?? pr).labels.includes(l));
    if (!current || missing.length === 0) return;
    const log = this.#log.child({ branch: plan.branch, pr: pr.number });
    const labelIds = missing.flatMap((name) => state.labelIds.get(name) ?? []);
    const { request: reviewers } = getReviewerRequest(plan.reviewers, this.repo.owner);
    let ids = { userIds: [] as string[], teamIds: [] as string[], unresolved: [] as string[] };
    if (reviewers.users.length + reviewers.teams.length > 0) {
      const { query, variables } = buildReviewerQuery({ owner: this.repo.owner, name: this.repo.repo, ownerIsOrganization: state.ownerIsOrganization, reviewers });
      const raw = await callGitHub({ operation: "resolveReviewers", repo: formatRepoRef(this.repo) }, () => this.#client.graphql<{ repository: PullRequestWithIds["repository"] | null }>(query, variables));
      ids = getReviewerIds({ repository: raw.repository ?? undefined }, reviewers);
    }
    log.warn({ missingLabels: missing }, "promotion PR was left undecorated; applying labels and review requests");
    await this.#decorateWithIds(current.id, labelIds, ids.userIds, ids.teamIds, log);
    current.labels = [...current.labels, ...missing.filter((l) => state.labelIds.has(l))];
  }

  async replaceBody(pr: PromotionPullRequest, body: string): Promise<void> {
    // The PR's node id comes from a fresh snapshot (the lifecycle's cached one has none).
    if (!this.#state || !this.#fresh) await this.readSnapshot();
    const target = [...(this.#state?.branches.values() ?? [])].find((b) => b.pr?.number === pr.number)?.pr;
    if (!target) return;
    await callGitHub({ operation: "replaceBody", repo: formatRepoRef(this.repo), pr: pr.number }, () =>
      this.#client.graphql("mutation StagegateReplaceBody($pullRequestId: ID!, $body: String!) { updatePullRequest(input: { pullRequestId: $pullRequestId, body: $body }) { clientMutationId } }", { pullRequestId: target.id, body }),
    );
    target.body = body;
  }

  async closePromotion(number: number, comment: string): Promise<void> {
    const context = { operation: "closePromotion", repo: formatRepoRef(this.repo), pr: number };
    const target = [...(this.#state?.branches.values() ?? [])].find((b) => b.pr?.number === number);
    let pullRequestId = target?.pr?.id;
    let refId = target?.refId;
    if (!pullRequestId) {
      const raw = await callGitHub(context, () =>
        this.#client.graphql<{ repository: { pullRequest: (RawPullRequest & { headRef: { id: string; name: string } | null }) | null } | null }>(PULL_REQUEST_QUERY, { owner: this.repo.owner, name: this.repo.repo, number }),
      );
      const pr = raw.repository?.pullRequest;
      if (!pr) throw new NotFoundError(`pull request #${number} not found in ${formatRepoRef(this.repo)}`, context);
      if (pr.state !== "OPEN") return;
      pullRequestId = pr.id;
      // Only Stagegate's own branches are deleted; a person's branch stays.
      refId = pr.headRef && pr.headRef.name.startsWith(BRANCH_PREFIX) ? pr.headRef.id : undefined;
    }
    const { query, variables } = buildCloseMutation({ pullRequestId, refId, comment });
    await callGitHub(context, () => this.#client.graphql(query, variables));
    if (target) this.#state?.branches.delete(target.name);
    this.#log.info({ pr: number }, "promotion PR closed");
  }

  async comment(number: number, body: string): Promise<void> {
    await callGitHub({ operation: "comment", repo: formatRepoRef(this.repo), number }, () =>
      this.#client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: this.repo.owner, repo: this.repo.repo, issue_number: number, body }),
    );
  }

  async #readBranch(branch: string): Promise<PromotionBranch | undefined> {
    const raw = await callGitHub({ operation: "readBranch", repo: formatRepoRef(this.repo), branch }, () =>
      this.#client.graphql<{ repository: { ref: RawRef | null } | null }>(BRANCH_QUERY, { owner: this.repo.owner, name: this.repo.repo, qualifiedName: `refs/heads/${branch}` }),
    );
    const ref = raw.repository?.ref;
    return ref ? toPromotionBranch(ref, "branch") : undefined;
  }

  /** Re-applies labels an existing PR lacks (repair after a failed DECORATE). Reviewers are not re-requested. */
  async #repairLabels(pullRequestId: string, plan: PromotionPlan, present: string[], log: Logger): Promise<void> {
    const labelIds = plan.labels.filter((l) => !present.includes(l)).flatMap((l) => this.#state?.labelIds.get(l) ?? []);
    await this.#decorateWithIds(pullRequestId, labelIds, [], [], log);
  }

  async #decorateWithIds(pullRequestId: string, labelIds: string[], userIds: string[], teamIds: string[], log: Logger): Promise<void> {
    const mutation = buildDecorateMutation({ pullRequestId, labelIds, userIds, teamIds });
    if (!mutation) return;
    await callGitHub({ operation: "decoratePromotion", repo: formatRepoRef(this.repo) }, () => this.#client.graphql(mutation.query, mutation.variables));
    log.debug({ labels: labelIds.length, users: userIds.length, teams: teamIds.length }, "labels and reviewers applied");
  }
}

function stripId(pr: PromotionPullRequest & { id: string }): PromotionPullRequest {
  const { id: _id, ...rest } = pr;
  return rest;
}

/** The branch head is the planned commit when it sits directly on the planned base with the planned headline. */
function isPlannedCommit(branch: PromotionBranch, plan: PromotionPlan): boolean {
  return branch.headParentOid === plan.baseOid && branch.headHeadline === splitCommitMessage(plan.commitMessage).headline;
}

function getReviewerIds(pr: Pick<PullRequestWithIds, "repository">, reviewers: { users: string[]; teams: string[] }): { userIds: string[]; teamIds: string[]; unresolved: string[] } {
  const unresolved: string[] = [];
  const teamIds = reviewers.teams.flatMap((slug, i) => {
    const id = pr.repository?.owner?.[`team${i}`]?.id;
    if (!id) unresolved.push(slug);
    return id ? [id] : [];
  });
  const userIds = reviewers.users.flatMap((login, i) => {
    const nodes = (pr.repository?.[`user${i}`] as { nodes?: ({ id: string; login: string } | null)[] } | null | undefined)?.nodes ?? [];
    const node = nodes.find((n) => n?.login.toLowerCase() === login.toLowerCase());
    if (!node) unresolved.push(login);
    return node ? [node.id] : [];
  });
  return { userIds, teamIds, unresolved };
}

function errorFromEntries(errors: { message: string; type?: string; path?: (string | number)[] }[]): Error {
  return Object.assign(new Error(errors.map((e) => e.message).join("; ")), { name: "GraphqlResponseError", errors });
}
