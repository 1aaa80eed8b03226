/**
 * CommitsPort on GitHub: commits and history through GraphQL, the repository at any commit through the
 * same tree query the snapshot uses (stagegate.yaml, policies/ and the environment folders only), the
 * files a change touched through the PR facts or the compare API.
 */
import { NotFoundError, StagegateError } from "../../core/errors.js";
import type { CommitInfo, CommitsPort } from "../../core/ports/commits.js";
import type { RepoSnapshot } from "../../core/snapshot.js";
import { formatRepoRef } from "./client.js";
import { callGitHub } from "./errors.js";
import type { FactsSession } from "./facts-session.js";
import type { SnapshotCache } from "./lifecycle.js";
import { flattenTree, getConfigText, getRelevantPrefixes, SUBTREE_QUERY, type RawSubtree } from "./snapshot-query.js";

const COMMIT_FIELDS = "oid message parents(first: 5) { nodes { oid } } author { name email date } committer { name email date }";

const COMMIT_QUERY = `query StagegateCommit($owner: String!, $name: String!, $sha: GitObjectID!) {
  repository(owner: $owner, name: $name) { object(oid: $sha) { ... on Commit { ${COMMIT_FIELDS} } } }
}`;

const HISTORY_QUERY = `query StagegateHistory($owner: String!, $name: String!, $sha: GitObjectID!, $limit: Int!) {
  repository(owner: $owner, name: $name) { object(oid: $sha) { ... on Commit { history(first: $limit) { nodes { ${COMMIT_FIELDS} } } } } }
}`;

const HEAD_QUERY = `query StagegateDefaultHead($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) { defaultBranchRef { target { oid } } }
}`;

/** Follow-up queries for folders nested deeper than one query expands. */
const MAX_SUBTREE_QUERIES = 20;

interface RawCommit {
  oid: string;
  message: string;
  parents: { nodes: { oid: string }[] };
  author: { name: string | null; email: string | null; date: string | null } | null;
  committer: { name: string | null; email: string | null; date: string | null } | null;
}

function toCommitInfo(raw: RawCommit): CommitInfo {
  const actor = (a: RawCommit["author"]) => ({ name: a?.name ?? "", email: a?.email ?? "", date: a?.date ?? "" });
  return { sha: raw.oid, parents: raw.parents.nodes.map((p) => p.oid), message: raw.message, author: actor(raw.author), committer: actor(raw.committer) };
}

/** History of the environments repository. */
export class GitHubCommits implements CommitsPort {
  #session: FactsSession;
  #snapshots = new Map<string, Promise<RepoSnapshot>>();
  /** Snapshots at commits (immutable) and merge bases, shared by the deliveries of the process. */
  #shared: SnapshotCache | undefined;

  constructor(session: FactsSession, shared?: SnapshotCache) {
    this.#session = session;
    this.#shared = shared;
  }

  async getDefaultHead(): Promise<string> {
    const { client, repo } = this.#session;
    const raw = await callGitHub({ operation: "getDefaultHead", repo: formatRepoRef(repo) }, () =>
      client.graphql<{ repository: { defaultBranchRef: { target: { oid: string } } | null } | null }>(HEAD_QUERY, { owner: repo.owner, name: repo.repo }),
    );
    const oid = raw.repository?.defaultBranchRef?.target.oid;
    if (!oid) throw new NotFoundError(`${formatRepoRef(repo)} has no default branch`, { repo: formatRepoRef(repo) });
    return oid;
  }

  async getCommit(sha: string): Promise<CommitInfo> {
    const { client, repo } = this.#session;
    const raw = await callGitHub({ operation: "getCommit", repo: formatRepoRef(repo), sha }, () =>
      client.graphql<{ repository: { object: RawCommit | null } | null }>(COMMIT_QUERY, { owner: repo.owner, name: repo.repo, sha }),
    );
    const commit = raw.repository?.object;
    if (!commit?.oid) throw new NotFoundError(`commit ${sha} not found in ${formatRepoRef(repo)}`, { sha });
    return toCommitInfo(commit);
  }

  readSnapshotAt(sha: string): Promise<RepoSnapshot> {
    let pending = this.#snapshots.get(sha);
    if (!pending) {
      const key = `${formatRepoRef(this.#session.repo)}@${sha}`;
      const known = /^[0-9a-f]{40}$/.test(sha) ? this.#shared?.get(key) : undefined;
      pending = known ? Promise.resolve(known) : this.#readTree(sha);
      this.#snapshots.set(sha, pending);
      // Only a commit id names the same tree forever; a branch name is read again next time.
      if (!known && /^[0-9a-f]{40}$/.test(sha)) void pending.then((snapshot) => this.#shared?.set(key, snapshot), () => undefined);
      pending.catch(() => this.#snapshots.delete(sha));
    }
    return pending;
  }

  async listFirstParent(head: string, limit: number): Promise<CommitInfo[]> {
    const { client, repo } = this.#session;
    const raw = await callGitHub({ operation: "listFirstParent", repo: formatRepoRef(repo), sha: head }, () =>
      client.graphql<{ repository: { object: { history?: { nodes: RawCommit[] } } | null } | null }>(HISTORY_QUERY, { owner: repo.owner, name: repo.repo, sha: head, limit: Math.min(100, limit) }),
    );
    // GitHub's history is `git log` order (every parent); keep the first-parent chain.
    const byOid = new Map((raw.repository?.object?.history?.nodes ?? []).map((c) => [c.oid, toCommitInfo(c)]));
    const out: CommitInfo[] = [];
    for (let cur = byOid.get(head); cur && out.length < limit; cur = cur.parents[0] ? byOid.get(cur.parents[0]) : undefined) out.push(cur);
    return out;
  }

  async changedFiles(base: string, head: string): Promise<string[]> {
    // A PR's own file list (from the facts query) is the three-dot diff GitHub shows.
    const pr = this.#session.pullByHead(head)?.pr;
    if (pr?.files && (base === pr.baseRef || base === pr.baseSha)) return pr.files;
    const { client, repo } = this.#session;
    const response = await callGitHub({ operation: "changedFiles", repo: formatRepoRef(repo), base, head }, () =>
      client.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner: repo.owner, repo: repo.repo, basehead: `${base}...${head}`, per_page: 100 }),
    );
    return (response.data.files ?? []).flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
  }

  async mergeBase(base: string, head: string): Promise<string> {
    const { client, repo } = this.#session;
    const key = `${formatRepoRef(repo)}:${base}...${head}`;
    const known = this.#shared?.mergeBases.get(key);
    if (known) return known;
    const response = await callGitHub({ operation: "mergeBase", repo: formatRepoRef(repo), base, head }, () =>
      client.request("GET /repos/{owner}/{repo}/compare/{basehead}", { owner: repo.owner, repo: repo.repo, basehead: `${base}...${head}`, per_page: 1 }),
    );
    const sha = response.data.merge_base_commit.sha;
    this.#shared?.rememberMergeBase(key, sha);
    return sha;
  }

  async #readTree(sha: string): Promise<RepoSnapshot> {
    const { client, repo } = this.#session;
    const context = { operation: "readSnapshotAt", repo: formatRepoRef(repo), sha };
    const read = (path: string) =>
      callGitHub({ ...context, path }, () => client.graphql<RawSubtree>(SUBTREE_QUERY, { owner: repo.owner, name: repo.repo, expression: `${sha}:${path}` }));
    const root = await read("");
    if (!root.repository?.object) throw new NotFoundError(`commit ${sha} not found in ${formatRepoRef(repo)}`, context);
    const entries = root.repository.object.entries ?? [];
    const prefixes = getRelevantPrefixes(getConfigText(entries));
    const result = flattenTree(entries, prefixes);
    for (let i = 0; result.unexpanded.length > 0; i++) {
      if (i >= MAX_SUBTREE_QUERIES) throw new StagegateError(`the environments repository is nested too deeply to read (${result.unexpanded[0]!.path})`, context);
      const next = result.unexpanded.shift()!;
      flattenTree((await read(next.path)).repository?.object?.entries ?? [], prefixes, result);
    }
    return { ref: sha, oid: sha, files: result.files };
  }
}
