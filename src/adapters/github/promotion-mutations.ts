/**
 * The write side of the GitHub adapter as GraphQL documents. A promotion costs at most two mutations:
 * OPEN (branch + verified commit + PR, creating missing labels and resolving reviewer ids through the PR
 * payload) and DECORATE (labels + review requests). Pure: builds documents and variables.
 */
import type { PromotionPlan } from "../../core/plan-types.js";
import { PR_FIELDS, REF_FIELDS } from "./snapshot-query.js";

/** How the branch is brought to the planned commit. */
export type OpenMode =
  /** The branch does not exist: createRef at baseOid, then commit, then PR. */
  | "create"
  /** The branch exists but does not hold the planned commit (crash, stale base): force it back to baseOid first. */
  | "reset"
  /** The branch holds the planned commit but has no PR (crash between calls): PR only. */
  | "pr-only";

/** Colour of labels Stagegate creates (GitHub requires one). */
export const LABEL_COLOR = "5319e7";

/** Splits a full commit message into GitHub's headline + body. */
export function splitCommitMessage(message: string): { headline: string; body: string } {
  const [headline = "", ...rest] = message.replace(/\r\n/g, "\n").split("\n");
  return { headline: headline.trim() || "stagegate: promotion", body: rest.join("\n").replace(/^\n+/, "") };
}

/** Reviewer principals split into what can be resolved through the repository owner. */
export interface ReviewerRequest {
  users: string[];
  /** Team slugs of teams in the repository owner's organisation. */
  teams: string[];
}

/** Normalises policy principals (`@alice`, `acme/platform`) to logins and team slugs of `owner`. */
export function getReviewerRequest(reviewers: { users: string[]; teams: string[] }, owner: string, author?: string): { request: ReviewerRequest; skipped: string[] } {
  const skipped: string[] = [];
  const users = [...new Set(reviewers.users.map((u) => u.replace(/^@/, "")))].filter((u) => u.toLowerCase() !== author?.toLowerCase());
  const teams: string[] = [];
  for (const raw of new Set(reviewers.teams.map((t) => t.replace(/^@/, "")))) {
    const [org, slug] = raw.includes("/") ? (raw.split("/") as [string, string]) : [owner, raw];
    if (org.toLowerCase() === owner.toLowerCase()) teams.push(slug);
    else skipped.push(raw);
  }
  return { request: { users, teams: [...new Set(teams)] }, skipped };
}

/** `stagegate/<env>/<service>/` (or `stagegate/rollback/<env>/<service>/`): the branch without its digest segment. */
export function getLanePrefix(branch: string): string {
  return branch.slice(0, branch.lastIndexOf("/") + 1);
}

/** Document + variables of the OPEN mutation. */
export function buildOpenMutation(input: {
  mode: OpenMode;
  plan: PromotionPlan;
  repositoryId: string;
  nameWithOwner: string;
  ownerIsOrganization: boolean;
  refId?: string;
  missingLabels: string[];
  reviewers: ReviewerRequest;
}): { query: string; variables: Record<string, unknown> } {
  const { mode, plan } = input;
  const declarations = ["$repositoryId: ID!", "$baseRefName: String!", "$headRefName: String!", "$title: String!", "$body: String!"];
  const variables: Record<string, unknown> = { repositoryId: input.repositoryId, baseRefName: plan.baseRef, headRefName: plan.branch, title: plan.title, body: plan.body };
  const fields: string[] = [];
  if (mode !== "pr-only") {
    declarations.push("$baseOid: GitObjectID!", "$branch: CommittableBranch!", "$message: CommitMessage!", "$fileChanges: FileChanges!");
    Object.assign(variables, {
      baseOid: plan.baseOid,
      branch: { repositoryNameWithOwner: input.nameWithOwner, branchName: plan.branch },
      message: splitCommitMessage(plan.commitMessage),
      fileChanges: { additions: plan.files.map((f) => ({ path: f.path, contents: Buffer.from(f.after, "utf8").toString("base64") })) },
    });
    if (mode === "create") {
      declarations.push("$refName: String!");
      variables.refName = `refs/heads/${plan.branch}`;
      fields.push("createRef(input: { repositoryId: $repositoryId, name: $refName, oid: $baseOid }) { ref { id name } }");
    } else {
      declarations.push("$refId: ID!");
      variables.refId = input.refId;
      fields.push("updateRef(input: { refId: $refId, oid: $baseOid, force: true }) { ref { id name } }");
    }
    fields.push("createCommitOnBranch(input: { branch: $branch, expectedHeadOid: $baseOid, message: $message, fileChanges: $fileChanges }) { commit { oid } }");
  }
  // Reviewer node ids are resolved through the new PR's repository, so DECORATE needs no lookup request.
  const teamSelections = input.ownerIsOrganization
    ? input.reviewers.teams.map((slug, i) => {
        declarations.push(`$team${i}: String!`);
        variables[`team${i}`] = slug;
        return `team${i}: team(slug: $team${i}) { id slug }`;
      })
    : [];
  const userSelections = input.reviewers.users.map((login, i) => {
    declarations.push(`$user${i}: String!`);
    variables[`user${i}`] = login;
    return `user${i}: collaborators(login: $user${i}, first: 1) { nodes { id login } }`;
  });
  const ownerSelection = teamSelections.length > 0 ? `owner { ... on Organization { ${teamSelections.join(" ")} } }` : "";
  const repositorySelection = ownerSelection || userSelections.length > 0 ? `repository { ${ownerSelection} ${userSelections.join(" ")} }` : "";
  // The lane's branches as they are right after this PR was created: concurrent deliveries of other
  // artifacts of the same lane see each other here, at no extra request (supersede decides from it).
  declarations.push("$lanePrefix: String!");
  variables.lanePrefix = `refs/heads/${getLanePrefix(plan.branch)}`;
  const laneSelection = `lane: repository { refs(refPrefix: $lanePrefix, first: 50) { nodes { ${REF_FIELDS} } } }`;
  fields.push(
    `createPullRequest(input: { repositoryId: $repositoryId, baseRefName: $baseRefName, headRefName: $headRefName, title: $title, body: $body, maintainerCanModify: false }) { pullRequest { ${PR_FIELDS} headRef { id } ${repositorySelection} ${laneSelection} } }`,
  );
  if (input.missingLabels.length > 0) {
    declarations.push("$labelColor: String!");
    variables.labelColor = LABEL_COLOR;
    input.missingLabels.forEach((name, i) => {
      declarations.push(`$labelName${i}: String!`);
      variables[`labelName${i}`] = name;
      fields.push(`label${i}: createLabel(input: { repositoryId: $repositoryId, name: $labelName${i}, color: $labelColor }) { label { id name } }`);
    });
  }
  return { query: `mutation StagegateOpenPromotion(${declarations.join(", ")}) {\n  ${fields.join("\n  ")}\n}`, variables };
}

/** Document + variables of the DECORATE mutation (labels and review requests); undefined when nothing to do. */
export function buildDecorateMutation(input: { pullRequestId: string; labelIds: string[]; userIds: string[]; teamIds: string[] }): { query: string; variables: Record<string, unknown> } | undefined {
  const declarations = ["$pullRequestId: ID!"];
  const fields: string[] = [];
  const variables: Record<string, unknown> = { pullRequestId: input.pullRequestId };
  if (input.labelIds.length > 0) {
    declarations.push("$labelIds: [ID!]!");
    variables.labelIds = input.labelIds;
    fields.push("addLabelsToLabelable(input: { labelableId: $pullRequestId, labelIds: $labelIds }) { clientMutationId }");
  }
  if (input.userIds.length > 0 || input.teamIds.length > 0) {
    declarations.push("$userIds: [ID!]", "$teamIds: [ID!]");
    Object.assign(variables, { userIds: input.userIds, teamIds: input.teamIds });
    fields.push("requestReviews(input: { pullRequestId: $pullRequestId, userIds: $userIds, teamIds: $teamIds, union: true }) { clientMutationId }");
  }
  if (fields.length === 0) return undefined;
  return { query: `mutation StagegateDecoratePromotion(${declarations.join(", ")}) {\n  ${fields.join("\n  ")}\n}`, variables };
}

/** Comment, close and delete the branch of a PR in one request. */
export function buildCloseMutation(input: { pullRequestId: string; refId?: string; comment: string }): { query: string; variables: Record<string, unknown> } {
  const declarations = ["$pullRequestId: ID!", "$body: String!"];
  const fields = [
    "addComment(input: { subjectId: $pullRequestId, body: $body }) { clientMutationId }",
    "closePullRequest(input: { pullRequestId: $pullRequestId }) { pullRequest { number state } }",
  ];
  const variables: Record<string, unknown> = { pullRequestId: input.pullRequestId, body: input.comment };
  if (input.refId) {
    declarations.push("$refId: ID!");
    variables.refId = input.refId;
    fields.push("deleteRef(input: { refId: $refId }) { clientMutationId }");
  }
  return { query: `mutation StagegateClosePromotion(${declarations.join(", ")}) {\n  ${fields.join("\n  ")}\n}`, variables };
}

/**
 * Resolves reviewer node ids without opening anything (repairing an interrupted DECORATE). The result's
 * `repository` has the same aliases (`team<i>`, `user<i>`) as the OPEN mutation's PR payload.
 */
export function buildReviewerQuery(input: { owner: string; name: string; ownerIsOrganization: boolean; reviewers: ReviewerRequest }): { query: string; variables: Record<string, unknown> } {
  const declarations = ["$owner: String!", "$name: String!"];
  const variables: Record<string, unknown> = { owner: input.owner, name: input.name };
  const teams = input.ownerIsOrganization
    ? input.reviewers.teams.map((slug, i) => {
        declarations.push(`$team${i}: String!`);
        variables[`team${i}`] = slug;
        return `team${i}: team(slug: $team${i}) { id slug }`;
      })
    : [];
  const users = input.reviewers.users.map((login, i) => {
    declarations.push(`$user${i}: String!`);
    variables[`user${i}`] = login;
    return `user${i}: collaborators(login: $user${i}, first: 1) { nodes { id login } }`;
  });
  const owner = teams.length > 0 ? `owner { ... on Organization { ${teams.join(" ")} } }` : "";
  return { query: `query StagegateReviewers(${declarations.join(", ")}) {\n  repository(owner: $owner, name: $name) { id ${owner} ${users.join(" ")} }\n}`, variables };
}

/** Looks up a PR and its head ref by number (closePromotion without a cached snapshot). */
export const PULL_REQUEST_QUERY = `query StagegatePullRequest($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) { pullRequest(number: $number) { ${PR_FIELDS} headRef { id name } } }
}`;
