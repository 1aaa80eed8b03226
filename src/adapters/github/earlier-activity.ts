/**
 * The reviews and comments of a busy pull request that the facts query's last page (100 of each) left
 * out: an approval given early, an override asked for 150 comments ago, or the marker of an SLA
 * escalation already posted must still count. Read only when GitHub says there are earlier ones
 * (`pageInfo.hasPreviousPage`), 100 of each per query, newest page first, up to {@link MAX_EARLIER_PAGES}.
 */
import type { PullRequestComment, PullRequestReview } from "../../core/ports/pull-requests.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { formatRepoRef } from "./client.js";
import { callGitHub } from "./errors.js";
import { COMMENT_FIELDS, REVIEW_FIELDS, toComments, toReviews, type RawComment, type RawConnection, type RawReview } from "./gate-facts-query.js";

/** Earlier pages read per connection at most: 3,000 reviews and 3,000 comments besides the last 100 of each. */
export const MAX_EARLIER_PAGES = 30;

/** Where the earlier items end: the facts query's `startCursor` of each connection that has earlier pages. */
export interface EarlierCursors {
  reviews?: string;
  comments?: string;
}

/** The cursors of a facts response's connections that have earlier pages. */
export function earlierCursors(pr: { reviews?: RawConnection<RawReview> | null; comments?: RawConnection<RawComment> } | null | undefined): EarlierCursors {
  const before = (c: RawConnection<unknown> | null | undefined) => (c?.pageInfo?.hasPreviousPage && c.pageInfo.startCursor ? c.pageInfo.startCursor : undefined);
  const reviews = before(pr?.reviews);
  const comments = before(pr?.comments);
  return { ...(reviews ? { reviews } : {}), ...(comments ? { comments } : {}) };
}

/** One query for the page before each cursor given (only the connections asked for). */
export function buildEarlierActivityQuery(owner: string, name: string, number: number, cursors: EarlierCursors): { query: string; variables: Record<string, unknown> } {
  const declarations = ["$owner: String!", "$name: String!", "$number: Int!"];
  const variables: Record<string, unknown> = { owner, name, number };
  const fields: string[] = [];
  if (cursors.reviews) {
    declarations.push("$reviewsBefore: String!");
    variables.reviewsBefore = cursors.reviews;
    fields.push(`reviews(last: 100, before: $reviewsBefore) { pageInfo { hasPreviousPage startCursor } nodes { ${REVIEW_FIELDS} } }`);
  }
  if (cursors.comments) {
    declarations.push("$commentsBefore: String!");
    variables.commentsBefore = cursors.comments;
    fields.push(`comments(last: 100, before: $commentsBefore) { pageInfo { hasPreviousPage startCursor } nodes { ${COMMENT_FIELDS} } }`);
  }
  return { query: `query StagegateEarlierActivity(${declarations.join(", ")}) {\n  repository(owner: $owner, name: $name) { pullRequest(number: $number) { ${fields.join(" ")} } }\n}`, variables };
}

interface RawEarlier {
  repository: { pullRequest: { reviews?: RawConnection<RawReview>; comments?: RawConnection<RawComment> } | null } | null;
}

/**
 * Every review and comment before the cursors, oldest first. `truncated` when more than
 * {@link MAX_EARLIER_PAGES} pages of either were left unread (the oldest ones).
 */
export async function readEarlierActivity(client: GitHubClient, repo: RepoRef, number: number, cursors: EarlierCursors): Promise<{ reviews: PullRequestReview[]; comments: (PullRequestComment & { url: string })[]; truncated: boolean }> {
  const reviews: PullRequestReview[][] = [];
  const comments: (PullRequestComment & { url: string })[][] = [];
  let next = cursors;
  let pages = 0;
  while ((next.reviews || next.comments) && pages < MAX_EARLIER_PAGES) {
    const { query, variables } = buildEarlierActivityQuery(repo.owner, repo.repo, number, next);
    const raw = await callGitHub({ operation: "earlierActivity", repo: formatRepoRef(repo), pr: number }, () => client.graphql<RawEarlier>(query, variables));
    const pr = raw.repository?.pullRequest;
    if (!pr) break;
    // Each page is older than the one before it: kept in reading order, reversed at the end.
    if (pr.reviews) reviews.push(toReviews(pr.reviews.nodes));
    if (pr.comments) comments.push(toComments(pr.comments.nodes));
    // Only the connections asked for are in the answer: those with earlier pages still go on.
    next = earlierCursors(pr);
    pages++;
  }
  return { reviews: reviews.reverse().flat(), comments: comments.reverse().flat(), truncated: Boolean(next.reviews || next.comments) };
}
