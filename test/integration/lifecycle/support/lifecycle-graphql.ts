/**
 * GraphQL resolvers the lifecycle needs on top of the shared fake (createRootValue): a pull request's
 * author, files, reviews, comments and head check suites; commits with message, history, check suites
 * and statuses; deployments; the notes ref; organisations' teams. Same technique as the shared fake:
 * plain objects executed by graphql-js against GitHub's real schema.
 */
import type { FakeCommit, FakePull, FakeRepo } from "../../../support/github/fake-state.js";
import type { LifecycleState } from "./lifecycle-state.js";

type Args = Record<string, unknown>;
type Node = Record<string, unknown>;

/** An Actor (interface): graphql-js needs the concrete type. */
export function actor(login: string): Node {
  return login.endsWith("[bot]") ? { __typename: "Bot", login: login.replace(/\[bot\]$/, "") } : { __typename: "User", login };
}

function message(commit: FakeCommit): string {
  return commit.body ? `${commit.headline}\n\n${commit.body}` : commit.headline;
}

/** Context shared by the resolvers. */
export interface GraphqlWorld {
  repos: FakeRepo[];
  state: (repo: FakeRepo) => LifecycleState;
  commitTimes: Map<string, string>;
}

function commitNode(world: GraphqlWorld, repo: FakeRepo, commit: FakeCommit): Node {
  const state = world.state(repo);
  const at = world.commitTimes.get(commit.oid) ?? "2026-01-01T00:00:00Z";
  const person = { name: "Dev", email: "dev@example.com", date: at };
  return {
    __typename: "Commit",
    oid: commit.oid,
    message: message(commit),
    messageHeadline: commit.headline,
    author: { ...person, user: commit.authorLogin ? { login: commit.authorLogin } : null },
    committer: person,
    parents: () => ({ nodes: commit.parentOid ? [{ oid: commit.parentOid }] : [] }),
    history: (args: Args) => {
      const out: Node[] = [];
      for (let cur: FakeCommit | undefined = commit; cur && out.length < Number(args.first ?? 100); cur = cur.parentOid ? repo.commits.get(cur.parentOid) : undefined) out.push(commitNode(world, repo, cur));
      return { nodes: out };
    },
    checkSuites: (args: Args) => {
      const filter = (args.filterBy ?? {}) as { appId?: number };
      const runs = state.checkRuns.filter((r) => r.headSha === commit.oid && (filter.appId === undefined || r.appId === filter.appId));
      const apps = [...new Set(runs.map((r) => r.appId))];
      return {
        nodes: apps.map((appId) => ({
          app: { databaseId: appId, slug: runs.find((r) => r.appId === appId)!.appSlug },
          checkRuns: (a: Args) => {
            const latestOnly = (a.filterBy as { checkType?: string } | undefined)?.checkType === "LATEST";
            const mine = runs.filter((r) => r.appId === appId);
            const nodes = latestOnly ? mine.filter((r) => mine.filter((o) => o.name === r.name).at(-1) === r) : mine;
            return {
              nodes: nodes.map((r) => ({ databaseId: r.id, name: r.name, status: r.status.toUpperCase(), conclusion: r.conclusion?.toUpperCase() ?? null, title: r.title, summary: r.summary, text: r.text ?? null, externalId: r.externalId, startedAt: "2026-01-01T00:00:00Z", completedAt: null, detailsUrl: null })),
            };
          },
        })),
      };
    },
    status: () => {
      const list = state.statuses.get(commit.oid);
      if (!list) return null;
      const latest = new Map(list.map((s) => [s.context, s]));
      return { contexts: [...latest.values()].map((s) => ({ context: s.context, state: s.state.toUpperCase(), createdAt: s.createdAt, targetUrl: s.targetUrl ?? null })) };
    },
  };
}

/**
 * A page of a connection as GitHub returns one, for `first`/`after` and `last`/`before` (cursors are
 * opaque to the client: here, the item's index).
 */
export function connection(list: readonly Node[], args: Args): Node {
  let from = typeof args.after === "string" ? Number(args.after) + 1 : 0;
  let to = typeof args.before === "string" ? Number(args.before) : list.length;
  if (typeof args.first === "number") to = Math.min(to, from + args.first);
  if (typeof args.last === "number") from = Math.max(from, to - args.last);
  const nodes = list.slice(from, to);
  return { totalCount: list.length, nodes, pageInfo: { hasPreviousPage: from > 0, hasNextPage: to < list.length, startCursor: nodes.length > 0 ? String(from) : null, endCursor: nodes.length > 0 ? String(to - 1) : null } };
}

function pullExtras(world: GraphqlWorld, repo: FakeRepo, pull: FakePull): Node {
  const state = world.state(repo);
  const headOid = repo.refs.get(pull.head)?.oid ?? state.merged.get(pull.number)?.sha;
  const head = headOid ? repo.commits.get(headOid) : undefined;
  const baseOid = repo.refs.get(pull.base)!.oid;
  const base = repo.commits.get(baseOid)!;
  const files = head ? [...new Set([...head.files.keys(), ...base.files.keys()])].filter((p) => head.files.get(p) !== base.files.get(p)).sort() : [];
  const merged = state.merged.get(pull.number);
  return {
    isDraft: state.drafts.has(pull.number),
    baseRefOid: baseOid,
    mergedAt: merged?.at ?? null,
    mergeCommit: merged ? { oid: merged.sha } : null,
    author: actor(state.authors.get(pull.number) ?? "stagegate[bot]"),
    files: () => ({ totalCount: files.length, nodes: files.map((path) => ({ path })) }),
    reviews: (args: Args) =>
      connection(
        (state.reviews.get(pull.number) ?? []).map((r) => ({ databaseId: r.id, state: r.state, submittedAt: r.submittedAt, body: "", authorAssociation: r.association, author: actor(r.user), commit: { oid: r.commitOid } })),
        args,
      ),
    comments: (args: Args) =>
      connection(
        [
          ...pull.comments.map((body, i) => ({ databaseId: i + 1, body, createdAt: pull.createdAt, lastEditedAt: null, url: `https://github.com/${repo.fullName}/pull/${pull.number}#c${i}`, author: actor("stagegate[bot]") })),
          ...state.comments.filter((c) => c.issue === pull.number).map((c) => ({ databaseId: c.id, body: c.body, createdAt: c.createdAt, lastEditedAt: c.editedAt ?? null, url: `https://github.com/${repo.fullName}/pull/${pull.number}#issuecomment-${c.id}`, author: actor(c.user) })),
        ],
        args,
      ),
    commits: () => ({ nodes: head ? [{ commit: commitNode(world, repo, head) }] : [] }),
  };
}

function deploymentNode(repo: FakeRepo, state: LifecycleState, d: LifecycleState["deployments"][number]): Node {
  return {
    databaseId: d.id,
    environment: d.environment,
    task: d.task,
    payload: JSON.stringify(d.payload),
    createdAt: d.createdAt,
    commitOid: d.sha,
    creator: actor(d.creator),
    statuses: () => ({ nodes: [...d.statuses].reverse().map((s) => ({ state: s.state.toUpperCase(), description: s.description, createdAt: s.createdAt, logUrl: s.logUrl ?? null, environmentUrl: null, creator: actor(s.creator) })) }),
  };
}

/** Wraps the shared fake's root value with the lifecycle's resolvers. */
export function extendRootValue(root: Record<string, unknown>, world: GraphqlWorld): Record<string, unknown> {
  const baseRepository = root.repository as (args: Args) => Node | null;
  root.repository = (args: Args) => {
    const node = baseRepository(args);
    const repo = world.repos.find((r) => r.fullName.toLowerCase() === `${String(args.owner)}/${String(args.name)}`.toLowerCase());
    if (!node || !repo) return node;
    const state = world.state(repo);
    const baseObject = node.object as (a: Args) => unknown;
    const basePull = node.pullRequest as (a: Args) => Node | null;
    const baseRef = node.ref as (a: Args) => unknown;
    return {
      ...node,
      object: (a: Args) => {
        if (a.oid !== undefined) {
          const commit = repo.commits.get(String(a.oid));
          return commit ? commitNode(world, repo, commit) : null;
        }
        return baseObject(a);
      },
      pullRequest: (a: Args) => {
        const pull = repo.pulls.find((p) => p.number === a.number);
        const base = basePull(a);
        return pull && base ? { ...base, ...pullExtras(world, repo, pull) } : base;
      },
      pullRequests: (a: Args) => ({
        nodes: repo.pulls
          .filter((p) => a.headRefName === undefined || p.head === a.headRefName)
          .reverse()
          .map((p) => ({ ...(basePull({ number: p.number }) as Node), ...pullExtras(world, repo, p) })),
      }),
      deployments: (a: Args) => {
        const envs = a.environments as string[] | null | undefined;
        const list = state.deployments.filter((d) => !envs || envs.includes(d.environment)).sort((x, y) => y.createdAt.localeCompare(x.createdAt) || y.id - x.id);
        // Cursors are offsets into the newest-first list.
        const offset = typeof a.after === "string" ? Number(a.after) : 0;
        const page = list.slice(offset, offset + Number(a.first ?? 100));
        return { nodes: page.map((d) => deploymentNode(repo, state, d)), pageInfo: { hasNextPage: offset + page.length < list.length, endCursor: page.length > 0 ? String(offset + page.length) : null } };
      },
      ref: (a: Args) => {
        const name = String(a.qualifiedName);
        if (!name.startsWith("refs/notes/")) return baseRef(a);
        const sha = state.gitRefs.get(name);
        if (!sha) return null;
        const commit = state.gitCommits.get(sha)!;
        const tree = state.trees.get(commit.tree)!;
        return {
          id: `REF_${name}`,
          name,
          prefix: "refs/notes/",
          target: { __typename: "Commit", oid: sha, tree: { oid: commit.tree }, file: (f: Args) => treeEntry(tree, String(f.path)) },
          associatedPullRequests: { nodes: [] },
        };
      },
    };
  };
  root.organization = (args: Args) => {
    const repo = world.repos.find((r) => r.owner.toLowerCase() === String(args.login).toLowerCase());
    if (!repo) return null;
    return {
      login: repo.owner,
      team: (a: Args) => {
        const team = repo.teams.get(String(a.slug));
        return team
          ? {
              id: team.id,
              slug: String(a.slug),
              // Paged as GitHub pages it: `first` members after the `after` cursor (the index of the last one given).
              members: (m: Args) => {
                const all = [...team.members];
                const from = m.after === undefined || m.after === null ? 0 : Number(m.after) + 1;
                const page = all.slice(from, from + Number(m.first ?? 100));
                const end = from + page.length - 1;
                return { pageInfo: { hasNextPage: end < all.length - 1, endCursor: page.length > 0 ? String(end) : null }, nodes: page.map((login) => ({ login })) };
              },
            }
          : null;
      },
    };
  };
  return root;
}

/** A notes tree entry at `path` as GitHub's `Commit.file` gives it: the blob, a directory holding other paths (a fanout level), or null. */
function treeEntry(tree: Map<string, string>, path: string): Node | null {
  const text = tree.get(path);
  if (text !== undefined) return { type: "blob", object: { __typename: "Blob", text, isTruncated: false } };
  for (const key of tree.keys()) if (key.startsWith(`${path}/`)) return { type: "tree", object: { __typename: "Tree" } };
  return null;
}
