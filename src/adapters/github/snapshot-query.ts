/**
 * The read side of the GitHub adapter: ONE GraphQL query returns the default branch head, its whole tree
 * (blob texts included, nested to a fixed depth), the repository's labels (ids for the write requests) and
 * every open `stagegate/` branch with its open PR. Pure: builds documents and parses responses.
 */
import { parse as parseYaml } from "yaml";
import { TerminalError } from "../../core/errors.js";
import { CONFIG_FILE, POLICIES_DIR } from "../../core/snapshot.js";
import type { PromotionPullRequest } from "../../core/ports/environments-repo.js";

/** Tree levels expanded in one query; deeper folders are fetched by follow-up queries (rare). */
export const TREE_DEPTH = 6;

/** Prefix of every branch Stagegate writes. */
export const BRANCH_PREFIX = "stagegate/";

function treeSelection(depth: number): string {
  const object =
    depth <= 1
      ? "object { __typename ... on Blob { text byteSize isBinary isTruncated } ... on Tree { oid } }"
      : `object { __typename ... on Blob { text byteSize isBinary isTruncated } ... on Tree { oid ${treeSelection(depth - 1)} } }`;
  return `entries { name path type ${object} }`;
}

/** Fields of an open promotion PR, shared by every query that returns one. */
export const PR_FIELDS = `id number url title body state headRefName headRefOid baseRefName createdAt mergedAt author { login } labels(first: 20) { nodes { name } }`;

/** Fields of a promotion branch ref and its open PR (snapshot, open-promotions and lane queries). */
export const REF_FIELDS = `id name target { oid ... on Commit { messageHeadline parents(first: 1) { nodes { oid } } } } associatedPullRequests(states: OPEN, first: 1) { nodes { ${PR_FIELDS} } }`;

/** Everything a promotion needs, in one round trip. */
export const SNAPSHOT_QUERY = `query StagegateSnapshot($owner: String!, $name: String!, $refPrefix: String!) {
  repository(owner: $owner, name: $name) {
    id
    nameWithOwner
    owner { __typename login }
    labels(first: 100) { nodes { id name } }
    refs(refPrefix: $refPrefix, first: 100, orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) { nodes { ${REF_FIELDS} } }
    defaultBranchRef { name target { oid ... on Commit { tree { ${treeSelection(TREE_DEPTH)} } } } }
  }
}`;

/** A subtree the snapshot query did not expand (deeper than TREE_DEPTH). */
export const SUBTREE_QUERY = `query StagegateSubtree($owner: String!, $name: String!, $expression: String!) {
  repository(owner: $owner, name: $name) { object(expression: $expression) { __typename ... on Tree { ${treeSelection(TREE_DEPTH)} } } }
}`;

/** Open promotion PRs only (listOpenPromotions when no fresh snapshot is cached). */
export const OPEN_PROMOTIONS_QUERY = `query StagegateOpenPromotions($owner: String!, $name: String!, $refPrefix: String!) {
  repository(owner: $owner, name: $name) { refs(refPrefix: $refPrefix, first: 100, orderBy: { field: TAG_COMMIT_DATE, direction: DESC }) { nodes { ${REF_FIELDS} } } }
}`;

/** One branch, by its full name (idempotency checks after a concurrent createRef). */
export const BRANCH_QUERY = `query StagegateBranch($owner: String!, $name: String!, $qualifiedName: String!) {
  repository(owner: $owner, name: $name) { ref(qualifiedName: $qualifiedName) { ${REF_FIELDS} } }
}`;

export interface RawPullRequest {
  id: string;
  number: number;
  url: string;
  title: string;
  body: string;
  state: "OPEN" | "CLOSED" | "MERGED";
  headRefName: string;
  headRefOid: string;
  baseRefName: string;
  createdAt: string;
  mergedAt: string | null;
  author: { login: string } | null;
  labels: { nodes: { name: string }[] } | null;
}

export interface RawRef {
  id: string;
  name: string;
  target: { oid: string; messageHeadline?: string; parents?: { nodes: { oid: string }[] } } | null;
  associatedPullRequests: { nodes: RawPullRequest[] };
}

interface RawTreeEntry {
  name: string;
  path: string;
  type: string;
  object: { __typename: string; text?: string | null; byteSize?: number; isBinary?: boolean | null; isTruncated?: boolean; oid?: string; entries?: RawTreeEntry[] } | null;
}

export interface RawSnapshot {
  repository: {
    id: string;
    nameWithOwner: string;
    owner: { __typename: string; login: string };
    labels: { nodes: { id: string; name: string }[] } | null;
    refs: { nodes: RawRef[] } | null;
    defaultBranchRef: { name: string; target: { oid: string; tree?: { entries: RawTreeEntry[] } } } | null;
  } | null;
}

export interface RawSubtree {
  repository: { object: { __typename: string; entries?: RawTreeEntry[] } | null } | null;
}

/** A branch under `stagegate/` and its open PR, with the node ids the write requests need. */
export interface PromotionBranch {
  name: string;
  refId: string;
  headOid: string;
  headHeadline: string | undefined;
  headParentOid: string | undefined;
  pr: (PromotionPullRequest & { id: string }) | undefined;
}

/** Maps a GraphQL pull request to the port's shape (keeping the node id for mutations). */
export function toPullRequest(raw: RawPullRequest): PromotionPullRequest & { id: string } {
  return {
    id: raw.id,
    number: raw.number,
    url: raw.url,
    branch: raw.headRefName,
    headSha: raw.headRefOid,
    baseRef: raw.baseRefName,
    title: raw.title,
    body: raw.body,
    state: raw.state === "MERGED" ? "merged" : raw.state === "CLOSED" ? "closed" : "open",
    author: raw.author?.login ?? "ghost",
    labels: raw.labels?.nodes.map((l) => l.name) ?? [],
    createdAt: raw.createdAt,
    ...(raw.mergedAt ? { mergedAt: raw.mergedAt } : {}),
  };
}

/**
 * Maps a ref node to a PromotionBranch. `refs(refPrefix:)` names are relative to the prefix
 * (`dev/checkout/…`), `ref(qualifiedName:)` names to refs/heads/ (`stagegate/dev/checkout/…`).
 */
export function toPromotionBranch(raw: RawRef, nameIs: "prefix-relative" | "branch"): PromotionBranch {
  const pr = raw.associatedPullRequests.nodes[0];
  return {
    name: nameIs === "prefix-relative" ? BRANCH_PREFIX + raw.name : raw.name,
    refId: raw.id,
    headOid: raw.target?.oid ?? "",
    headHeadline: raw.target?.messageHeadline,
    headParentOid: raw.target?.parents?.nodes[0]?.oid,
    pr: pr ? toPullRequest(pr) : undefined,
  };
}

/** Which paths a snapshot keeps: stagegate.yaml, policies/** and the environment folders named in stagegate.yaml. */
export function getRelevantPrefixes(configText: string | undefined): string[] | "all" {
  if (configText === undefined) return [];
  try {
    const doc = parseYaml(configText) as { environments?: { path?: unknown }[] } | null;
    const paths = (doc?.environments ?? []).map((e) => e?.path).filter((p): p is string => typeof p === "string" && p.length > 0);
    return [`${POLICIES_DIR}/`, ...paths.map((p) => p.replace(/\/+$/, "") + "/")];
  } catch {
    // An unparsable stagegate.yaml is reported by the loader with file:line:col; keep everything meanwhile.
    return "all";
  }
}

function isRelevant(path: string, prefixes: string[] | "all"): boolean {
  if (path === CONFIG_FILE || prefixes === "all") return true;
  return prefixes.some((p) => path.startsWith(p) || p.startsWith(path + "/"));
}

/** Result of flattening a tree: the texts and the subtrees left unexpanded. */
export interface FlattenResult {
  files: Map<string, string>;
  unexpanded: { path: string; oid: string }[];
}

/**
 * Flattens nested tree entries into path → text, keeping only relevant paths. Binary blobs are skipped;
 * a truncated text of a relevant file is refused rather than silently edited.
 */
export function flattenTree(entries: RawTreeEntry[], prefixes: string[] | "all", into: FlattenResult = { files: new Map(), unexpanded: [] }): FlattenResult {
  for (const entry of entries) {
    if (!isRelevant(entry.path, prefixes)) continue;
    const object = entry.object;
    if (object === null) continue;
    if (object.__typename === "Blob") {
      if (object.isBinary || object.text === null || object.text === undefined) continue;
      if (object.isTruncated) throw new TerminalError(`${entry.path} is too large to read through the GitHub API (${object.byteSize ?? "?"} bytes)`, { path: entry.path });
      into.files.set(entry.path, object.text);
    } else if (object.__typename === "Tree") {
      if (object.entries === undefined) into.unexpanded.push({ path: entry.path, oid: object.oid ?? "" });
      else flattenTree(object.entries, prefixes, into);
    }
  }
  return into;
}

/** The root tree's entries, the config text and the relevant prefixes of a snapshot response. */
export function getRootEntries(raw: RawSnapshot): RawTreeEntry[] {
  return raw.repository?.defaultBranchRef?.target.tree?.entries ?? [];
}

/** Text of stagegate.yaml at the root, if present. */
export function getConfigText(entries: RawTreeEntry[]): string | undefined {
  const entry = entries.find((e) => e.path === CONFIG_FILE && e.object?.__typename === "Blob");
  return entry?.object?.text ?? undefined;
}
