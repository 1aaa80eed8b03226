/**
 * The fake's GraphQL API: GitHub's real schema executed by graphql-js over FakeRepo state. Nodes are
 * plain objects whose function-valued fields take the field's arguments (graphql-js's default resolver),
 * and interface/union members carry `__typename` (its default type resolver), so the response has exactly
 * the shape the query selected, as GitHub's would.
 */
import type { FakeCommit, FakePull, FakeRepo } from "./fake-state.js";
import { FakeGraphqlError } from "./fake-state.js";

type Args = Record<string, unknown>;
const BOT = { __typename: "Bot", login: "stagegate[bot]" };

function treeNode(files: Map<string, string>, dir: string, oidSeed: string): Record<string, unknown> {
  const prefix = dir === "" ? "" : dir + "/";
  const names = new Map<string, "blob" | "tree">();
  for (const path of files.keys()) {
    if (!path.startsWith(prefix)) continue;
    const [head, ...rest] = path.slice(prefix.length).split("/");
    names.set(head!, rest.length > 0 ? "tree" : "blob");
  }
  return {
    __typename: "Tree",
    oid: `${oidSeed}:${dir}`,
    entries: () =>
      [...names].sort().map(([name, type]) => {
        const path = prefix + name;
        const text = files.get(path);
        const object =
          type === "tree"
            ? treeNode(files, path, oidSeed)
            : { __typename: "Blob", oid: `blob:${path}`, text, byteSize: Buffer.byteLength(text ?? ""), isBinary: false, isTruncated: false };
        return { name, path, type, object };
      }),
  };
}

function commitNode(commit: FakeCommit): Record<string, unknown> {
  return {
    __typename: "Commit",
    oid: commit.oid,
    messageHeadline: commit.headline,
    parents: () => ({ nodes: commit.parentOid ? [{ oid: commit.parentOid }] : [] }),
    tree: treeNode(commit.files, "", commit.oid),
  };
}

/** GraphQL root value (queries and mutations) over a set of fake repositories. */
export function createRootValue(repos: FakeRepo[], now: () => string): Record<string, unknown> {
  const byId = (id: string): FakeRepo => {
    const repo = repos.find((r) => r.id === id);
    if (!repo) throw new FakeGraphqlError(`Could not resolve to a node with the global id of '${id}'`, "NOT_FOUND");
    return repo;
  };
  const byPull = (id: string): [FakeRepo, FakePull] => {
    const repo = repos.find((r) => r.pulls.some((p) => p.id === id));
    if (!repo) throw new FakeGraphqlError(`Could not resolve to a node with the global id of '${id}'`, "NOT_FOUND");
    return [repo, repo.pullById(id)];
  };
  const byRef = (id: string): FakeRepo => {
    const repo = repos.find((r) => [...r.refs.values()].some((ref) => ref.id === id));
    if (!repo) throw new FakeGraphqlError(`Could not resolve to a node with the global id of '${id}'`, "NOT_FOUND");
    return repo;
  };

  const refNode = (repo: FakeRepo, branch: string, displayName: string): Record<string, unknown> | null => {
    const ref = repo.refs.get(branch);
    if (!ref) return null;
    return {
      id: ref.id,
      name: displayName,
      prefix: "refs/heads/",
      target: commitNode(repo.commits.get(ref.oid)!),
      associatedPullRequests: (args: Args) => ({ nodes: repo.pulls.filter((p) => p.head === branch && (!args.states || (args.states as string[]).includes(p.state))).map((p) => pullNode(repo, p)) }),
    };
  };

  const pullNode = (repo: FakeRepo, pull: FakePull): Record<string, unknown> => ({
    id: pull.id,
    number: pull.number,
    url: `https://github.com/${repo.fullName}/pull/${pull.number}`,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    headRefName: pull.head,
    headRefOid: () => repo.refs.get(pull.head)?.oid ?? "0".repeat(40),
    baseRefName: pull.base,
    createdAt: pull.createdAt,
    mergedAt: null,
    author: BOT,
    labels: () => ({ nodes: pull.labels.map((name) => ({ id: repo.labels.get(name), name })) }),
    headRef: () => refNode(repo, pull.head, pull.head),
    repository: () => repoNode(repo),
  });

  const repoNode = (repo: FakeRepo): Record<string, unknown> => ({
    id: repo.id,
    name: repo.name,
    nameWithOwner: repo.fullName,
    owner: {
      __typename: repo.ownerType,
      login: repo.owner,
      team: (args: Args) => {
        const team = repo.teams.get(String(args.slug));
        return team ? { id: team.id, slug: args.slug } : null;
      },
    },
    labels: (args: Args) => ({ nodes: [...repo.labels].slice(0, Number(args.first ?? 100)).map(([name, id]) => ({ id, name })) }),
    refs: (args: Args) => {
      const prefix = String(args.refPrefix);
      const nodes = [...repo.refs.keys()]
        .filter((b) => `refs/heads/${b}`.startsWith(prefix))
        .map((b) => refNode(repo, b, `refs/heads/${b}`.slice(prefix.length)));
      return { nodes: nodes.slice(0, Number(args.first ?? 100)) };
    },
    ref: (args: Args) => {
      const qualified = String(args.qualifiedName);
      const branch = qualified.replace(/^refs\/heads\//, "");
      return refNode(repo, branch, branch);
    },
    defaultBranchRef: () => refNode(repo, repo.defaultBranch, repo.defaultBranch),
    object: (args: Args) => {
      const [rev, path = ""] = String(args.expression).split(/:(.*)/s) as [string, string?];
      const branch = rev === "HEAD" ? repo.defaultBranch : rev;
      const commit = repo.commits.get(rev) ?? (repo.refs.has(branch) ? repo.head(branch) : undefined);
      if (!commit) return null;
      const dir = path.replace(/\/+$/, "");
      if (dir === "") return treeNode(commit.files, "", commit.oid);
      if (commit.files.has(dir)) return { __typename: "Blob", text: commit.files.get(dir), byteSize: 0, isBinary: false, isTruncated: false };
      return [...commit.files.keys()].some((p) => p.startsWith(dir + "/")) ? treeNode(commit.files, dir, commit.oid) : null;
    },
    pullRequest: (args: Args) => {
      const pull = repo.pulls.find((p) => p.number === args.number);
      return pull ? pullNode(repo, pull) : null;
    },
    collaborators: (args: Args) => {
      const id = args.login === undefined ? undefined : repo.collaborators.get(String(args.login));
      return { nodes: id ? [{ id, login: args.login }] : [] };
    },
  });

  const input = (args: Args): Record<string, unknown> => args.input as Record<string, unknown>;

  return {
    repository: (args: Args) => {
      const repo = repos.find((r) => r.owner.toLowerCase() === String(args.owner).toLowerCase() && r.name.toLowerCase() === String(args.name).toLowerCase());
      return repo ? repoNode(repo) : null;
    },
    createRef: (args: Args) => {
      const i = input(args);
      const repo = byId(String(i.repositoryId));
      return { ref: repo.createRef(String(i.name), String(i.oid)) };
    },
    updateRef: (args: Args) => {
      const i = input(args);
      return { ref: byRef(String(i.refId)).updateRef(String(i.refId), String(i.oid), i.force === true) };
    },
    deleteRef: (args: Args) => {
      const i = input(args);
      byRef(String(i.refId)).deleteRef(String(i.refId));
      return { clientMutationId: null };
    },
    createCommitOnBranch: (args: Args) => {
      const i = input(args);
      const branch = i.branch as { repositoryNameWithOwner?: string; branchName?: string };
      const repo = repos.find((r) => r.fullName === branch.repositoryNameWithOwner);
      if (!repo) throw new FakeGraphqlError(`Could not resolve to a Repository with the name '${branch.repositoryNameWithOwner}'.`, "NOT_FOUND");
      const changes = (i.fileChanges ?? {}) as { additions?: { path: string; contents: string }[]; deletions?: { path: string }[] };
      const message = i.message as { headline: string; body?: string };
      const commit = repo.commitOnBranch(String(branch.branchName), String(i.expectedHeadOid), changes.additions ?? [], changes.deletions ?? [], message.headline, message.body ?? "");
      return { commit: commitNode(commit) };
    },
    createPullRequest: (args: Args) => {
      const i = input(args);
      const repo = byId(String(i.repositoryId));
      const pull = repo.createPull(i as { baseRefName: string; headRefName: string; title: string; body?: string }, now());
      return { pullRequest: pullNode(repo, pull) };
    },
    updatePullRequest: (args: Args) => {
      const i = input(args);
      const [repo, pull] = byPull(String(i.pullRequestId));
      if (typeof i.body === "string") pull.body = i.body;
      if (typeof i.title === "string") pull.title = i.title;
      return { pullRequest: pullNode(repo, pull), clientMutationId: null };
    },
    closePullRequest: (args: Args) => {
      const [repo, pull] = byPull(String(input(args).pullRequestId));
      pull.state = "CLOSED";
      return { pullRequest: pullNode(repo, pull) };
    },
    addComment: (args: Args) => {
      const i = input(args);
      const [, pull] = byPull(String(i.subjectId));
      pull.comments.push(String(i.body));
      return { clientMutationId: null };
    },
    createLabel: (args: Args) => {
      const i = input(args);
      const id = byId(String(i.repositoryId)).createLabel(String(i.name));
      return { label: { id, name: i.name } };
    },
    addLabelsToLabelable: (args: Args) => {
      const i = input(args);
      const [repo, pull] = byPull(String(i.labelableId));
      for (const id of i.labelIds as string[]) {
        const name = [...repo.labels].find(([, lid]) => lid === id)?.[0];
        if (!name) throw new FakeGraphqlError(`Could not resolve to a node with the global id of '${id}'`, "NOT_FOUND");
        if (!pull.labels.includes(name)) pull.labels.push(name);
      }
      return { clientMutationId: null };
    },
    requestReviews: (args: Args) => {
      const i = input(args);
      const [, pull] = byPull(String(i.pullRequestId));
      pull.requestedUserIds.push(...((i.userIds as string[] | undefined) ?? []));
      pull.requestedTeamIds.push(...((i.teamIds as string[] | undefined) ?? []));
      return { clientMutationId: null };
    },
  };
}
