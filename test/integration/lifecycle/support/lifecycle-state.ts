/**
 * What the lifecycle adds to the shared fake GitHub's repositories (test/support/github/fake-state.ts):
 * PR authors and reviews, comments with authors and times, check runs of several apps, commit statuses,
 * deployments with statuses, git objects of the notes ref, rulesets and issues. State lives in an
 * instance per repository; the fake's resolvers and routes read and write it.
 */
import { createHash } from "node:crypto";
import type { FakeRepo } from "../../../support/github/fake-state.js";
import { notePaths } from "../../../../src/adapters/github/notes.js";

export interface FakeReview {
  id: number;
  user: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  commitOid: string;
  submittedAt: string;
  association: string;
}

export interface FakeComment {
  id: number;
  issue: number;
  user: string;
  body: string;
  createdAt: string;
  /** Set when someone edited it (GitHub's lastEditedAt). */
  editedAt?: string;
}

export interface FakeCheckRun {
  id: number;
  appId: number;
  appSlug: string;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  title: string;
  summary: string;
  text?: string;
  externalId: string;
  annotations: unknown[];
}

export interface FakeStatus {
  context: string;
  state: "pending" | "success" | "failure" | "error";
  createdAt: string;
  creator: string;
  targetUrl?: string;
}

export interface FakeDeployment {
  id: number;
  sha: string;
  environment: string;
  task: string;
  payload: unknown;
  createdAt: string;
  creator: string;
  productionEnvironment: boolean;
  statuses: { id: number; state: string; description: string; createdAt: string; creator: string; logUrl?: string; autoInactive?: boolean }[];
}

export interface FakeGitCommit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}

/** The lifecycle's side of one fake repository. */
export class LifecycleState {
  readonly repo: FakeRepo;
  readonly authors = new Map<number, string>();
  readonly drafts = new Set<number>();
  readonly merged = new Map<number, { sha: string; at: string }>();
  readonly reviews = new Map<number, FakeReview[]>();
  /** Reviews dismissed through the API, with the message. */
  readonly dismissals: { pr: number; review: number; message: string }[] = [];
  readonly comments: FakeComment[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  readonly statuses = new Map<string, FakeStatus[]>();
  readonly deployments: FakeDeployment[] = [];
  readonly trees = new Map<string, Map<string, string>>();
  readonly gitCommits = new Map<string, FakeGitCommit>();
  readonly gitRefs = new Map<string, string>();
  readonly rulesets: { id: number; name: string; body: Record<string, unknown> }[] = [];
  readonly issues: { number: number; title: string; body: string; labels: string[]; state: "open" | "closed" }[] = [];
  /** PATCH /issues/{n} calls (the dashboard must not rewrite an unchanged body). */
  updates = 0;
  readonly requestedReviewers: { pr: number; users: string[]; teams: string[] }[] = [];
  /** False: the installation lacks `administration: write` (rulesets answer 403). */
  administration = true;
  #id = 10_000;

  constructor(repo: FakeRepo) {
    this.repo = repo;
  }

  nextId(): number {
    return ++this.#id;
  }

  hash(value: unknown): string {
    return createHash("sha1").update(JSON.stringify(value)).digest("hex");
  }

  /** A review as a person submits it on the PR's current head (or `commitOid`). */
  review(pr: number, user: string, state: FakeReview["state"], at: string, commitOid?: string, association = "MEMBER"): void {
    const pull = this.repo.pulls.find((p) => p.number === pr)!;
    const list = this.reviews.get(pr) ?? [];
    list.push({ id: this.nextId(), user, state, commitOid: commitOid ?? this.repo.refs.get(pull.head)!.oid, submittedAt: at, association });
    this.reviews.set(pr, list);
  }

  comment(issue: number, user: string, body: string, at: string): FakeComment {
    const comment = { id: this.nextId(), issue, user, body, createdAt: at };
    this.comments.push(comment);
    return comment;
  }

  status(sha: string, status: FakeStatus): void {
    this.statuses.set(sha, [...(this.statuses.get(sha) ?? []), status]);
  }

  /** A check run by another app (CI in a source repo, or a fake `stagegate` check). */
  foreignCheckRun(headSha: string, name: string, conclusion: string | null, appId = 15368, appSlug = "github-actions"): void {
    this.checkRuns.push({ id: this.nextId(), appId, appSlug, name, headSha, status: conclusion ? "completed" : "in_progress", conclusion, title: name, summary: "", externalId: "", annotations: [] });
  }

  /** Check runs of `appId` on `sha`, latest per name. */
  latestRuns(sha: string, appId?: number): FakeCheckRun[] {
    const byName = new Map<string, FakeCheckRun>();
    for (const run of this.checkRuns) if (run.headSha === sha && (appId === undefined || run.appId === appId)) byName.set(`${run.appId}/${run.name}`, run);
    return [...byName.values()];
  }

  /** The note text of `commit` under refs/notes/stagegate, at whichever fanout git's layout put it. */
  note(commit: string): string | undefined {
    const head = this.gitRefs.get("refs/notes/stagegate");
    const tree = head ? this.trees.get(this.gitCommits.get(head)!.tree) : undefined;
    return notePaths(commit).map((path) => tree?.get(path)).find((text) => text !== undefined);
  }
}
