/**
 * The read side of one gate evaluation on GitHub: ONE GraphQL query returns the pull request (head,
 * author, labels, changed paths), its reviews (with the commit each was given on), its comments
 * (overrides), the app's own check runs on the head, the repository's recent deployments with their
 * statuses, the source commit's check runs and commit statuses, the members of the teams the policies
 * name, and the default branch head (to validate a cached snapshot). Pure: builds the document and
 * parses the response.
 */
import type { Deployment, DeploymentPayload, DeploymentState, DeploymentStatus } from "../../core/ports/deployments.js";
import type { CheckReport } from "../../core/ports/checks.js";
import type { PromotionPullRequest } from "../../core/ports/environments-repo.js";
import type { PullRequestComment, PullRequestReview } from "../../core/ports/pull-requests.js";
import type { SourceCheckFact } from "../../core/gates/facts.js";
import { parseRepoRef } from "./client.js";
import { toPullRequest } from "./snapshot-query.js";
import { parseCheckRun, type RawCheckRun } from "./check-run-format.js";
import { creatorOfBotStatus, parseDeploymentPayload } from "./deployment-payload.js";
import { isBotLogin } from "../../core/gates/principals.js";

/** Deployments read per query: the newest of the repository, every service and environment. */
export const DEPLOYMENTS_PER_QUERY = 100;

/** What to ask for besides the pull request itself. */
export interface GateFactsPlan {
  number: number;
  /** The app's id: only its check suites are read (another app's `stagegate` check is invisible here). */
  appId: number;
  /** The artifact's source commit (`owner/name` + sha). */
  source?: { repo: string; sha: string };
  /** Teams `org/slug` whose members are needed. */
  teams?: string[];
  /** Also read the deployments (default true). */
  deployments?: boolean;
}

const CHECK_RUN_FIELDS = "databaseId name status conclusion title summary text externalId startedAt completedAt detailsUrl";
/** Fields of a review and of a comment, shared with the query of earlier pages (earlier-activity.ts). */
export const REVIEW_FIELDS = "databaseId state submittedAt body authorAssociation author { login } commit { oid }";
export const COMMENT_FIELDS = "databaseId body createdAt lastEditedAt url author { login }";
const PR_FIELDS = `id number url title body state isDraft headRefName headRefOid baseRefName baseRefOid createdAt mergedAt
      mergeCommit { oid }
      author { login }
      labels(first: 20) { nodes { name } }
      files(first: 100) { totalCount nodes { path } }
      reviews(last: 100) { pageInfo { hasPreviousPage startCursor } nodes { ${REVIEW_FIELDS} } }
      comments(last: 100) { pageInfo { hasPreviousPage startCursor } nodes { ${COMMENT_FIELDS} } }
      commits(last: 1) { nodes { commit { oid checkSuites(first: 5, filterBy: { appId: $appId }) { nodes { app { databaseId } checkRuns(first: 100, filterBy: { checkType: LATEST }) { nodes { ${CHECK_RUN_FIELDS} } } } } } } }`;

/** Fields of a deployment node, shared with the deployments adapter's own query. */
export const DEPLOYMENT_FIELDS = `databaseId environment task payload createdAt commitOid creator { login } statuses(first: 50) { nodes { state description createdAt logUrl environmentUrl creator { login } } }`;

/** Document + variables of the facts query for a plan. */
export function buildGateFactsQuery(owner: string, name: string, plan: GateFactsPlan): { query: string; variables: Record<string, unknown> } {
  const declarations = ["$owner: String!", "$name: String!", "$number: Int!", "$appId: Int!"];
  const variables: Record<string, unknown> = { owner, name, number: plan.number, appId: plan.appId };
  const parts: string[] = [];
  const deployments = plan.deployments === false ? "" : `deployments(first: ${DEPLOYMENTS_PER_QUERY}, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { ${DEPLOYMENT_FIELDS} } }`;
  parts.push(`repository(owner: $owner, name: $name) {
    defaultBranchRef { target { oid } }
    pullRequest(number: $number) { ${PR_FIELDS} }
    ${deployments}
  }`);
  const source = plan.source ? parseRepoRef(plan.source.repo) : undefined;
  if (plan.source && source) {
    declarations.push("$srcOwner: String!", "$srcName: String!", "$srcSha: GitObjectID!");
    Object.assign(variables, { srcOwner: source.owner, srcName: source.repo, srcSha: plan.source.sha });
    parts.push(`source: repository(owner: $srcOwner, name: $srcName) { object(oid: $srcSha) { ... on Commit {
      author { user { login } }
      checkSuites(first: 50) { nodes { app { databaseId slug } checkRuns(first: 100) { nodes { name status conclusion startedAt detailsUrl } } } }
      status { contexts { context state createdAt targetUrl } } } } }`);
  }
  parts.push(...teamSelections(plan.teams ?? [], declarations, variables));
  return { query: `query StagegateGateFacts(${declarations.join(", ")}) {\n  ${parts.join("\n  ")}\n}`, variables };
}

/** `org0: organization(login: $org0) { team0: team(slug: $team0) { members … } }` per org. */
function teamSelections(teams: string[], declarations: string[], variables: Record<string, unknown>): string[] {
  const byOrg = new Map<string, string[]>();
  for (const team of [...new Set(teams.map((t) => t.replace(/^@/, "").toLowerCase()))]) {
    const [org, slug] = team.split("/");
    if (!org || !slug) continue;
    byOrg.set(org, [...(byOrg.get(org) ?? []), slug]);
  }
  let t = 0;
  return [...byOrg].map(([org, slugs], o) => {
    declarations.push(`$org${o}: String!`);
    variables[`org${o}`] = org;
    const fields = slugs.map((slug) => {
      declarations.push(`$team${t}: String!`);
      variables[`team${t}`] = slug;
      return `team${t++}: team(slug: $team${t - 1}) { slug members(first: 100) { pageInfo { hasNextPage } nodes { login } } }`;
    });
    return `org${o}: organization(login: $org${o}) { login ${fields.join(" ")} }`;
  });
}

interface RawActor {
  login: string;
}

export interface RawReview {
  databaseId: number | null;
  state: string;
  submittedAt: string | null;
  body: string;
  authorAssociation: string;
  author: RawActor | null;
  commit: { oid: string } | null;
}

export interface RawComment {
  databaseId: number | null;
  body: string;
  createdAt: string;
  lastEditedAt: string | null;
  url: string;
  author: RawActor | null;
}

/** The last page of a connection; `hasPreviousPage` says earlier items were left out (earlier-activity.ts reads them). */
export interface RawConnection<T> {
  pageInfo?: { hasPreviousPage: boolean; startCursor: string | null };
  nodes: T[];
}

export interface RawFactsPullRequest {
  id: string;
  number: number;
  url: string;
  title: string;
  body: string;
  state: "OPEN" | "CLOSED" | "MERGED";
  isDraft: boolean;
  headRefName: string;
  headRefOid: string;
  baseRefName: string;
  baseRefOid: string;
  createdAt: string;
  mergedAt: string | null;
  mergeCommit: { oid: string } | null;
  author: RawActor | null;
  labels: { nodes: { name: string }[] } | null;
  files: { totalCount: number; nodes: { path: string }[] | null } | null;
  reviews: RawConnection<RawReview> | null;
  comments: RawConnection<RawComment>;
  commits: { nodes: { commit: { oid: string; checkSuites: { nodes: { app: { databaseId: number | null } | null; checkRuns: { nodes: RawCheckRun[] } | null }[] } | null } }[] };
}

export interface RawDeployment {
  databaseId: number | null;
  environment: string | null;
  task: string | null;
  payload: string | null;
  createdAt: string;
  commitOid: string;
  creator: RawActor | null;
  statuses: { nodes: { state: string; description: string | null; createdAt: string; logUrl: string | null; environmentUrl: string | null; creator: RawActor | null }[] } | null;
}

export interface RawGateFacts {
  repository: { defaultBranchRef: { target: { oid: string } } | null; pullRequest: RawFactsPullRequest | null; deployments?: { nodes: RawDeployment[] } } | null;
  source?: {
    object: {
      /** The GitHub user the commit's author email belongs to (separation of duties). */
      author?: { user: { login: string } | null } | null;
      checkSuites?: { nodes: { app: { databaseId: number | null; slug: string } | null; checkRuns: { nodes: { name: string; status: string; conclusion: string | null; startedAt: string | null; detailsUrl: string | null }[] } | null }[] } | null;
      status?: { contexts: { context: string; state: string; createdAt: string; targetUrl: string | null }[] } | null;
    } | null;
  } | null;
  [org: `org${number}`]: { login: string; [team: string]: { slug: string; members: { pageInfo?: { hasNextPage: boolean }; nodes: RawActor[] } } | null | string } | null | undefined;
}

/** A pull request with what one query told about it. */
export interface FactsPullRequest extends PromotionPullRequest {
  id: string;
  isDraft: boolean;
  baseSha: string;
  /** Changed paths; undefined when more than the query returns (use the compare API). */
  files: string[] | undefined;
}

/** Everything one facts query returned, in the ports' shapes. */
export interface GateFactsResult {
  defaultHeadOid: string | undefined;
  pr: FactsPullRequest | undefined;
  reviews: PullRequestReview[];
  comments: (PullRequestComment & { url: string })[];
  /** The app's own latest check run per name on the PR head, with ids. */
  checks: (CheckReport & { id: number })[];
  deployments: Deployment[] | undefined;
  sourceChecks: SourceCheckFact[] | undefined;
  /** Login of the source commit's author, when GitHub ties its email to an account. */
  sourceAuthor: string | undefined;
  teams: Record<string, string[]>;
}

/** Options for mapping: the app id (check suites) and the app's bot login (its own deployment statuses). */
export interface IdentityOptions {
  appId: number;
  /** The app's slug, e.g. `stagegate` (bot login `stagegate[bot]`). */
  botLogin: string;
  /** Name under which the app's own deployment statuses appear to the services. */
  verifier: string;
}

const REVIEW_STATES: Record<string, PullRequestReview["state"]> = { APPROVED: "approved", CHANGES_REQUESTED: "changes_requested", COMMENTED: "commented", DISMISSED: "dismissed" };
const ASSOCIATIONS = new Set(["OWNER", "MEMBER", "COLLABORATOR", "CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "MANNEQUIN", "NONE"]);

/** Maps the facts response to the ports' shapes. */
export function parseGateFacts(raw: RawGateFacts, identity: IdentityOptions): GateFactsResult {
  const repository = raw.repository;
  const pr = repository?.pullRequest ?? undefined;
  const headCommit = pr?.commits.nodes.at(-1)?.commit;
  const result: GateFactsResult = {
    defaultHeadOid: repository?.defaultBranchRef?.target.oid,
    pr: pr ? toFactsPullRequest(pr) : undefined,
    reviews: toReviews(pr?.reviews?.nodes ?? []),
    comments: toComments(pr?.comments.nodes ?? []),
    checks: latestChecks(headCommit?.oid === pr?.headRefOid ? (headCommit?.checkSuites?.nodes ?? []) : [], identity.appId),
    deployments: repository?.deployments ? parseDeployments(repository.deployments.nodes, identity) : undefined,
    sourceChecks: raw.source === undefined ? undefined : parseSourceChecks(raw.source, identity.appId),
    sourceAuthor: raw.source?.object?.author?.user?.login.toLowerCase(),
    teams: {},
  };
  for (const [key, org] of Object.entries(raw)) {
    if (!/^org\d+$/.test(key) || !org || typeof org !== "object") continue;
    const login = (org as { login: string }).login.toLowerCase();
    for (const [field, value] of Object.entries(org)) {
      if (!/^team\d+$/.test(field) || !value || typeof value !== "object") continue;
      const team = value as { slug: string; members: { pageInfo?: { hasNextPage: boolean }; nodes: RawActor[] } };
      // A team of more than 100 is left out: the source adapter reads it page by page (GitHubSource.listTeamMembers).
      if (team.members.pageInfo?.hasNextPage) continue;
      result.teams[`${login}/${team.slug.toLowerCase()}`] = team.members.nodes.map((m) => m.login.toLowerCase());
    }
  }
  return result;
}

/** Reviews in the ports' shape (pending ones, without submittedAt, left out). */
export function toReviews(nodes: readonly RawReview[]): PullRequestReview[] {
  return nodes.flatMap((r) => {
    const state = REVIEW_STATES[r.state];
    if (!state || !r.author || !r.submittedAt) return [];
    const review: PullRequestReview = { id: String(r.databaseId ?? ""), user: r.author.login, state, commitSha: r.commit?.oid ?? "", submittedAt: r.submittedAt, ...(r.body ? { body: r.body } : {}) };
    if (ASSOCIATIONS.has(r.authorAssociation)) review.authorAssociation = r.authorAssociation as NonNullable<PullRequestReview["authorAssociation"]>;
    return [review];
  });
}

/** Comments in the ports' shape (with their URL). */
export function toComments(nodes: readonly RawComment[]): (PullRequestComment & { url: string })[] {
  return nodes.map((c) => ({ id: String(c.databaseId ?? ""), user: c.author?.login ?? "ghost", body: c.body, createdAt: c.createdAt, url: c.url, ...(c.lastEditedAt ? { edited: true } : {}) }));
}

function toFactsPullRequest(pr: RawFactsPullRequest): FactsPullRequest {
  const files = pr.files && pr.files.nodes && pr.files.nodes.length >= pr.files.totalCount ? pr.files.nodes.map((f) => f.path) : undefined;
  // The same mapping as the snapshot's PRs, plus what only the facts query asks for.
  return {
    ...toPullRequest(pr),
    baseSha: pr.baseRefOid,
    isDraft: pr.isDraft,
    files,
    ...(pr.mergeCommit ? { mergeCommitSha: pr.mergeCommit.oid } : {}),
  };
}

/** The latest run per name among the app's suites (suites of other apps are dropped even if GitHub returned them). */
export function latestChecks(suites: { app: { databaseId: number | null } | null; checkRuns: { nodes: RawCheckRun[] } | null }[], appId: number): (CheckReport & { id: number })[] {
  const byName = new Map<string, CheckReport & { id: number }>();
  for (const suite of suites) {
    if (suite.app?.databaseId !== appId) continue;
    for (const run of suite.checkRuns?.nodes ?? []) {
      const parsed = parseCheckRun(run);
      const current = byName.get(parsed.name);
      if (!current || parsed.id > current.id) byName.set(parsed.name, parsed);
    }
  }
  return [...byName.values()];
}

const DEPLOYMENT_STATES: Record<string, DeploymentState> = { PENDING: "queued", QUEUED: "queued", WAITING: "queued", IN_PROGRESS: "in_progress", SUCCESS: "success", FAILURE: "failure", ERROR: "error", INACTIVE: "inactive", DESTROYED: "inactive" };

/** Stagegate's deployments among the nodes (others, e.g. a workflow's own, are skipped), newest first. */
export function parseDeployments(nodes: RawDeployment[], identity: IdentityOptions): Deployment[] {
  return nodes
    .flatMap((node): Deployment[] => {
      const payload = parseDeploymentPayload(node.payload);
      if (!payload || node.databaseId === null || !node.environment) return [];
      const statuses: DeploymentStatus[] = (node.statuses?.nodes ?? [])
        .map((s) => ({
          state: DEPLOYMENT_STATES[s.state] ?? "queued",
          description: s.description ?? "",
          creator: isBotLogin(s.creator?.login, identity.botLogin) ? creatorOfBotStatus(s.description ?? "", identity.verifier) : (s.creator?.login ?? "ghost"),
          createdAt: s.createdAt,
          ...(s.logUrl ? { logUrl: s.logUrl } : {}),
        }))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      return [toDeployment(String(node.databaseId), node.environment, node.commitOid, node.createdAt, payload, statuses)];
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || Number(b.id) - Number(a.id));
}

/** A port Deployment from its parts. */
export function toDeployment(id: string, environment: string, ref: string, createdAt: string, payload: DeploymentPayload, statuses: DeploymentStatus[]): Deployment {
  return { id, environment, service: payload.service, digest: payload.digest, ref, kind: payload.kind, createdAt, payload, statuses };
}

const STATUS_STATES: Record<string, Pick<SourceCheckFact, "status" | "conclusion">> = {
  PENDING: { status: "in_progress" },
  EXPECTED: { status: "queued" },
  SUCCESS: { status: "completed", conclusion: "success" },
  FAILURE: { status: "completed", conclusion: "failure" },
  ERROR: { status: "completed", conclusion: "failure" },
};

/**
 * Check runs and commit statuses of the source commit. Stagegate's own runs there are dropped: a
 * source-checks pattern like `*` must not count Stagegate's verdicts as the build's.
 */
export function parseSourceChecks(source: RawGateFacts["source"], appId: number): SourceCheckFact[] {
  const object = source?.object;
  if (!object) return [];
  const out: SourceCheckFact[] = [];
  for (const suite of object.checkSuites?.nodes ?? []) {
    if (suite.app?.databaseId === appId) continue;
    for (const run of suite.checkRuns?.nodes ?? []) {
      const status = run.status === "COMPLETED" ? "completed" : run.status === "IN_PROGRESS" ? "in_progress" : "queued";
      const fact: SourceCheckFact = { name: run.name, status };
      if (run.conclusion) fact.conclusion = run.conclusion.toLowerCase() as NonNullable<SourceCheckFact["conclusion"]>;
      if (run.startedAt) fact.startedAt = run.startedAt;
      if (run.detailsUrl) fact.url = run.detailsUrl;
      out.push(fact);
    }
  }
  for (const context of object.status?.contexts ?? []) {
    out.push({ name: context.context, ...(STATUS_STATES[context.state] ?? { status: "queued" }), startedAt: context.createdAt, ...(context.targetUrl ? { url: context.targetUrl } : {}) });
  }
  return out;
}
