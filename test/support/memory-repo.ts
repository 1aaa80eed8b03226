import { createHash } from "node:crypto";
import { ConflictError, NotFoundError } from "../../src/core/errors.js";
import type { PromotionPlan } from "../../src/core/plan-types.js";
import type { EnvironmentsRepoPort, PromotionPullRequest } from "../../src/core/ports/environments-repo.js";
import { createSnapshot, type RepoSnapshot } from "../../src/core/snapshot.js";

/**
 * An in-memory environments repository for service tests: commits with full trees, branches, pull
 * requests, comments, and hooks to inject failures or interleavings. All state lives in the instance.
 *
 * Every port method yields to the event loop first (like a network call would), so concurrent callers
 * really interleave; each method's body then runs atomically, as one GitHub request does.
 */
export type MemoryRepoMethod = "readSnapshot" | "listOpenPromotions" | "openPromotion" | "closePromotion" | "comment";

export interface MemoryCommit {
  sha: string;
  parents: string[];
  message: string;
  tree: ReadonlyMap<string, string>;
}

export interface MemoryPullRequest extends PromotionPullRequest {
  reviewers: { users: string[]; teams: string[] };
  comments: string[];
}

export interface MemoryRepoOptions {
  files?: Record<string, string>;
  defaultBranch?: string;
  /** owner/name, for PR URLs. */
  repo?: string;
  /** Login that opens PRs. */
  author?: string;
  now?: () => Date;
}

/** A write the fake performed (what tests count to prove "no writes"). */
export type MemoryWrite =
  | { kind: "branch"; branch: string; sha: string }
  | { kind: "commit"; branch: string; sha: string }
  | { kind: "pull"; number: number; branch: string }
  | { kind: "close"; number: number }
  | { kind: "delete-branch"; branch: string }
  | { kind: "comment"; number: number; body: string }
  | { kind: "merge"; number: number; sha: string };

export class MemoryRepo implements EnvironmentsRepoPort {
  readonly defaultBranch: string;
  /** Every port call, in order (reads included). */
  readonly calls: { method: MemoryRepoMethod; args: unknown[] }[] = [];
  /** Every mutation, in order. */
  readonly writes: MemoryWrite[] = [];
  /** Runs at the start of every port call, after the yield; throw from it to inject a failure. */
  onCall: ((method: MemoryRepoMethod, args: unknown[]) => void | Promise<void>) | undefined;

  private readonly commits = new Map<string, MemoryCommit>();
  private readonly branches = new Map<string, string>();
  private readonly pulls = new Map<number, MemoryPullRequest>();
  private readonly failures: { method: MemoryRepoMethod; error: Error }[] = [];
  private readonly repoName: string;
  private readonly author: string;
  private readonly now: () => Date;
  private nextNumber = 1;
  private sequence = 0;

  constructor(options: MemoryRepoOptions = {}) {
    this.defaultBranch = options.defaultBranch ?? "main";
    this.repoName = options.repo ?? "acme/environments";
    this.author = options.author ?? "stagegate[bot]";
    this.now = options.now ?? (() => new Date());
    const root = this.addCommit([], "initial commit", new Map(Object.entries(options.files ?? {})));
    this.branches.set(this.defaultBranch, root);
  }

  // ---- EnvironmentsRepoPort ----------------------------------------------------------------

  async readSnapshot(): Promise<RepoSnapshot> {
    await this.enter("readSnapshot", []);
    const head = this.headOf(this.defaultBranch);
    return createSnapshot(new Map(this.treeOf(head)), head, this.defaultBranch);
  }

  async listOpenPromotions(): Promise<PromotionPullRequest[]> {
    await this.enter("listOpenPromotions", []);
    return [...this.pulls.values()].filter((p) => p.state === "open" && p.branch.startsWith("stagegate/")).map((p) => toPort(p));
  }

  async openPromotion(plan: PromotionPlan): Promise<{ pr: PromotionPullRequest; created: boolean }> {
    await this.enter("openPromotion", [plan]);
    if (plan.status !== "changed") throw new Error(`openPromotion called with a plan whose status is ${plan.status}`);
    const existing = [...this.pulls.values()].find((p) => p.state === "open" && p.branch === plan.branch);
    if (existing) return { pr: toPort(existing), created: false };
    let head = this.branches.get(plan.branch);
    if (head === undefined) {
      if (!this.commits.has(plan.baseOid)) throw new NotFoundError(`base commit ${plan.baseOid} does not exist`);
      const tree = new Map(this.treeOf(plan.baseOid));
      for (const file of plan.files) {
        if (tree.get(file.path) !== file.before) throw new ConflictError(`${file.path} changed since the plan was computed`, { path: file.path });
        tree.set(file.path, file.after);
      }
      this.branches.set(plan.branch, plan.baseOid);
      this.writes.push({ kind: "branch", branch: plan.branch, sha: plan.baseOid });
      head = this.addCommit([plan.baseOid], plan.commitMessage, tree);
      this.branches.set(plan.branch, head);
      this.writes.push({ kind: "commit", branch: plan.branch, sha: head });
    }
    const number = this.nextNumber++;
    const pr: MemoryPullRequest = {
      number,
      url: `https://github.com/${this.repoName}/pull/${number}`,
      branch: plan.branch,
      headSha: head,
      baseRef: plan.baseRef,
      title: plan.title,
      body: plan.body,
      state: "open",
      author: this.author,
      labels: [...plan.labels],
      createdAt: this.now().toISOString(),
      reviewers: { users: [...plan.reviewers.users], teams: [...plan.reviewers.teams] },
      comments: [],
    };
    this.pulls.set(number, pr);
    this.writes.push({ kind: "pull", number, branch: plan.branch });
    return { pr: toPort(pr), created: true };
  }

  async closePromotion(number: number, comment: string): Promise<void> {
    await this.enter("closePromotion", [number, comment]);
    const pr = this.requirePull(number);
    if (pr.state !== "open") return;
    pr.comments.push(comment);
    this.writes.push({ kind: "comment", number, body: comment });
    pr.state = "closed";
    this.writes.push({ kind: "close", number });
    if (this.branches.delete(pr.branch)) this.writes.push({ kind: "delete-branch", branch: pr.branch });
  }

  async comment(number: number, body: string): Promise<void> {
    await this.enter("comment", [number, body]);
    this.requirePull(number).comments.push(body);
    this.writes.push({ kind: "comment", number, body });
  }

  // ---- test helpers (not part of the port) ---------------------------------------------------

  /** Makes the next `times` calls of `method` throw `error` (after yielding, before doing anything). */
  failNext(method: MemoryRepoMethod, error: Error, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ method, error });
  }

  /** Head commit of a branch; throws NotFoundError when the branch does not exist. */
  headOf(branch: string): string {
    const sha = this.branches.get(branch);
    if (sha === undefined) throw new NotFoundError(`branch ${branch} does not exist`);
    return sha;
  }

  hasBranch(branch: string): boolean {
    return this.branches.has(branch);
  }

  /** Files of a branch (default branch when omitted). */
  filesOf(branch = this.defaultBranch): ReadonlyMap<string, string> {
    return this.treeOf(this.headOf(branch));
  }

  getCommit(sha: string): MemoryCommit {
    const commit = this.commits.get(sha);
    if (!commit) throw new NotFoundError(`commit ${sha} does not exist`);
    return commit;
  }

  /** Commits directly to a branch (default branch when omitted); `null` deletes a file. */
  commitFiles(files: Record<string, string | null>, message = "update files", branch = this.defaultBranch): string {
    const parent = this.headOf(branch);
    const tree = new Map(this.treeOf(parent));
    for (const [path, content] of Object.entries(files)) {
      if (content === null) tree.delete(path);
      else tree.set(path, content);
    }
    const sha = this.addCommit([parent], message, tree);
    this.branches.set(branch, sha);
    this.writes.push({ kind: "commit", branch, sha });
    return sha;
  }

  /**
   * Squash-merges a PR onto the default branch: the files its branch changed relative to its base
   * are written over the default branch head, with the PR head's message (the plan's commit message).
   */
  merge(number: number): string {
    const pr = this.requirePull(number);
    if (pr.state !== "open") throw new ConflictError(`pull request #${number} is ${pr.state}`);
    const head = this.getCommit(pr.headSha);
    const base = this.treeOf(head.parents[0] ?? head.sha);
    const changes: Record<string, string | null> = {};
    for (const [path, content] of head.tree) if (base.get(path) !== content) changes[path] = content;
    for (const path of base.keys()) if (!head.tree.has(path)) changes[path] = null;
    const sha = this.commitFiles(changes, head.message);
    pr.state = "merged";
    pr.mergedAt = this.now().toISOString();
    pr.mergeCommitSha = sha;
    this.writes.push({ kind: "merge", number, sha });
    if (this.branches.delete(pr.branch)) this.writes.push({ kind: "delete-branch", branch: pr.branch });
    return sha;
  }

  /** A pull request with reviewers and comments; throws NotFoundError when unknown. */
  pull(number: number): MemoryPullRequest {
    const pr = this.requirePull(number);
    return { ...toPort(pr), reviewers: structuredClone(pr.reviewers), comments: [...pr.comments] };
  }

  /** Every pull request, oldest first. */
  pullRequests(): MemoryPullRequest[] {
    return [...this.pulls.keys()].map((n) => this.pull(n));
  }

  // ---- internals ------------------------------------------------------------------------------

  private async enter(method: MemoryRepoMethod, args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.onCall?.(method, args);
    const index = this.failures.findIndex((f) => f.method === method);
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      if (failure) throw failure.error;
    }
  }

  private requirePull(number: number): MemoryPullRequest {
    const pr = this.pulls.get(number);
    if (!pr) throw new NotFoundError(`pull request #${number} does not exist`);
    return pr;
  }

  private treeOf(sha: string): ReadonlyMap<string, string> {
    return this.getCommit(sha).tree;
  }

  private addCommit(parents: string[], message: string, tree: Map<string, string>): string {
    const sha = createHash("sha1").update(`${this.sequence++}\0${parents.join(",")}\0${message}`).digest("hex");
    this.commits.set(sha, { sha, parents, message, tree });
    return sha;
  }
}

function toPort(pr: MemoryPullRequest): PromotionPullRequest {
  const { reviewers: _reviewers, comments: _comments, ...rest } = pr;
  return { ...rest, labels: [...rest.labels] };
}
