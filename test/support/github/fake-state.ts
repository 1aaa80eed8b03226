/**
 * State of the fake GitHub: repositories with commits, branches, labels, pull requests, comments,
 * check runs, collaborators and teams. Mutations enforce the rules GitHub enforces (a ref name exists
 * once, expectedHeadOid must match, one open PR per head, no PR without commits) so concurrency and
 * idempotency tests exercise the real failure modes.
 */
import { createHash } from "node:crypto";

/** An error the fake GraphQL API reports for one field (GitHub's `type` extension included). */
export class FakeGraphqlError extends Error {
  readonly type: string;
  constructor(message: string, type: string) {
    super(message);
    this.type = type;
  }
}

export interface FakeCommit {
  oid: string;
  parentOid: string | undefined;
  files: Map<string, string>;
  headline: string;
  body: string;
  /** Login of the GitHub user the commit's author email belongs to (`author.user`); none when unset. */
  authorLogin?: string;
}

export interface FakePull {
  id: string;
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: "OPEN" | "CLOSED" | "MERGED";
  labels: string[];
  requestedUserIds: string[];
  requestedTeamIds: string[];
  comments: string[];
  createdAt: string;
}

/** One repository of the fake. */
export class FakeRepo {
  readonly owner: string;
  readonly name: string;
  readonly id: string;
  readonly ownerType: "Organization" | "User";
  readonly defaultBranch = "main";
  readonly commits = new Map<string, FakeCommit>();
  /** Branch name → { node id, head oid }. */
  readonly refs = new Map<string, { id: string; oid: string }>();
  /** Label name → node id. */
  readonly labels = new Map<string, string>();
  readonly pulls: FakePull[] = [];
  /** Login → node id. */
  readonly collaborators = new Map<string, string>();
  /** Team slug → node id and member logins. */
  readonly teams = new Map<string, { id: string; members: Set<string> }>();
  readonly issueComments: { id: number; issue: number; body: string }[] = [];
  readonly checkRuns: { id: number; name: string; headSha: string; status?: string; conclusion?: string; title?: string; summary?: string }[] = [];
  readonly reactions: { commentId: number; content: string }[] = [];
  /**
   * Code scanning: its analyses (newest first: the commit and ref each analysed) and the open alerts of
   * each ref. Undefined: code scanning never ran here (GitHub answers 404).
   */
  codeScanning?: { analyses: { commitSha: string; ref: string }[]; alerts: Record<string, { id: string; severity?: "critical" | "high" | "medium" | "low" }[]> };
  #counter = 0;

  constructor(fullName: string, files: Record<string, string>, options: { ownerType?: "Organization" | "User"; id?: string } = {}) {
    const [owner, name] = fullName.split("/") as [string, string];
    this.owner = owner;
    this.name = name;
    this.id = options.id ?? `R_${fullName}`;
    this.ownerType = options.ownerType ?? "Organization";
    const root = this.#addCommit(undefined, new Map(Object.entries(files)), "initial commit", "");
    this.refs.set(this.defaultBranch, { id: `REF_${this.defaultBranch}`, oid: root.oid });
  }

  get fullName(): string {
    return `${this.owner}/${this.name}`;
  }

  nextId(): number {
    return ++this.#counter;
  }

  #addCommit(parentOid: string | undefined, files: Map<string, string>, headline: string, body: string): FakeCommit {
    const oid = createHash("sha1").update(JSON.stringify([parentOid ?? "", headline, [...files].sort()])).digest("hex");
    const commit = { oid, parentOid, files, headline, body };
    this.commits.set(oid, commit);
    return commit;
  }

  head(branch = this.defaultBranch): FakeCommit {
    const ref = this.refs.get(branch);
    if (!ref) throw new Error(`no branch ${branch}`);
    return this.commits.get(ref.oid)!;
  }

  /** Commits file changes on a branch the way a person's push would (tests move main with it). */
  push(branch: string, changes: Record<string, string>, headline = "update"): FakeCommit {
    const parent = this.head(branch);
    const files = new Map(parent.files);
    for (const [path, text] of Object.entries(changes)) files.set(path, text);
    const commit = this.#addCommit(parent.oid, files, headline, "");
    this.refs.get(branch)!.oid = commit.oid;
    return commit;
  }

  openPulls(): FakePull[] {
    return this.pulls.filter((p) => p.state === "OPEN");
  }

  createRef(name: string, oid: string): { id: string; name: string } {
    if (!name.startsWith("refs/heads/")) throw new FakeGraphqlError(`Name must start with refs/heads/ (fake only models branches)`, "UNPROCESSABLE");
    const branch = name.slice("refs/heads/".length);
    if (this.refs.has(branch)) throw new FakeGraphqlError(`A ref named "${name}" already exists in the repository.`, "UNPROCESSABLE");
    if (!this.commits.has(oid)) throw new FakeGraphqlError(`Could not resolve to a GitObject with oid ${oid}`, "NOT_FOUND");
    const ref = { id: `REF_${branch}`, oid };
    this.refs.set(branch, ref);
    return { id: ref.id, name: branch };
  }

  updateRef(refId: string, oid: string, force: boolean): { id: string; name: string } {
    const entry = [...this.refs].find(([, r]) => r.id === refId);
    if (!entry) throw new FakeGraphqlError(`Could not resolve to a node with the global id of '${refId}'`, "NOT_FOUND");
    if (!this.commits.has(oid)) throw new FakeGraphqlError(`Could not resolve to a GitObject with oid ${oid}`, "NOT_FOUND");
    if (!force && !this.#isAncestor(entry[1].oid, oid)) throw new FakeGraphqlError("Update is not a fast forward", "UNPROCESSABLE");
    entry[1].oid = oid;
    return { id: refId, name: entry[0] };
  }

  deleteRef(refId: string): void {
    const entry = [...this.refs].find(([, r]) => r.id === refId);
    if (!entry) throw new FakeGraphqlError(`Could not resolve to a node with the global id of '${refId}'`, "NOT_FOUND");
    this.refs.delete(entry[0]);
  }

  #isAncestor(ancestor: string, oid: string | undefined): boolean {
    for (let cur = oid; cur !== undefined; cur = this.commits.get(cur)?.parentOid) if (cur === ancestor) return true;
    return false;
  }

  commitOnBranch(branch: string, expectedHeadOid: string, additions: { path: string; contents: string }[], deletions: { path: string }[], headline: string, body: string): FakeCommit {
    const ref = this.refs.get(branch);
    if (!ref) throw new FakeGraphqlError(`Could not resolve to a Ref named "refs/heads/${branch}".`, "NOT_FOUND");
    if (ref.oid !== expectedHeadOid) throw new FakeGraphqlError(`Expected branch to point to "${expectedHeadOid}" but it did not. Pull and try again!`, "STALE_DATA");
    const files = new Map(this.commits.get(ref.oid)!.files);
    for (const a of additions) files.set(a.path, Buffer.from(a.contents, "base64").toString("utf8"));
    for (const d of deletions) files.delete(d.path);
    const commit = this.#addCommit(ref.oid, files, headline, body);
    ref.oid = commit.oid;
    return commit;
  }

  createPull(input: { baseRefName: string; headRefName: string; title: string; body?: string }, now: string): FakePull {
    const head = this.refs.get(input.headRefName);
    const base = this.refs.get(input.baseRefName);
    if (!head || !base) throw new FakeGraphqlError(`Head sha can't be blank, Base sha can't be blank, No commits between ${input.baseRefName} and ${input.headRefName}`, "UNPROCESSABLE");
    if (this.openPulls().some((p) => p.head === input.headRefName && p.base === input.baseRefName)) {
      throw new FakeGraphqlError(`A pull request already exists for ${this.owner}:${input.headRefName}.`, "UNPROCESSABLE");
    }
    if (this.#isAncestor(head.oid, base.oid)) throw new FakeGraphqlError(`No commits between ${input.baseRefName} and ${input.headRefName}`, "UNPROCESSABLE");
    const number = this.nextId();
    const pull: FakePull = { id: `PR_${number}`, number, title: input.title, body: input.body ?? "", head: input.headRefName, base: input.baseRefName, state: "OPEN", labels: [], requestedUserIds: [], requestedTeamIds: [], comments: [], createdAt: now };
    this.pulls.push(pull);
    return pull;
  }

  pullById(id: string): FakePull {
    const pull = this.pulls.find((p) => p.id === id);
    if (!pull) throw new FakeGraphqlError(`Could not resolve to a node with the global id of '${id}'`, "NOT_FOUND");
    return pull;
  }

  createLabel(name: string): string {
    if (this.labels.has(name)) throw new FakeGraphqlError("Name has already been taken", "UNPROCESSABLE");
    const id = `LA_${name}`;
    this.labels.set(name, id);
    return id;
  }
}
