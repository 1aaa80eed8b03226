import { describe, expect, it } from "vitest";
import type { GitHubClient } from "../../../src/adapters/github/client.js";
import { buildEarlierActivityQuery, MAX_EARLIER_PAGES, readEarlierActivity } from "../../../src/adapters/github/earlier-activity.js";
import { checkGraphqlRequest } from "../../support/github/graphql-contract.js";

/** A client answering the earlier-activity query from comments numbered 0.. (cursors: indexes). */
function fakeClient() {
  const queries: Record<string, unknown>[] = [];
  const client = {
    graphql: async (query: string, variables: Record<string, unknown>) => {
      expect(checkGraphqlRequest(query, variables)).toEqual([]);
      queries.push(variables);
      const before = Number(variables.commentsBefore);
      const from = Math.max(0, before - 100);
      const nodes = Array.from({ length: before - from }, (_, k) => ({ databaseId: from + k, body: `c${from + k}`, createdAt: "2026-01-01T00:00:00Z", lastEditedAt: null, url: "u", author: { login: "dana" } }));
      return { repository: { pullRequest: { comments: { pageInfo: { hasPreviousPage: from > 0, startCursor: String(from) }, nodes } } } };
    },
  } as unknown as GitHubClient;
  return { client, queries };
}

describe("earlier reviews and comments", () => {
  it("asks GitHub's schema only for the connections that have earlier pages", () => {
    for (const cursors of [{ reviews: "Y3Vyc29y" }, { comments: "Y3Vyc29y" }, { reviews: "a", comments: "b" }]) {
      const { query, variables } = buildEarlierActivityQuery("acme", "environments", 7, cursors);
      expect(checkGraphqlRequest(query, variables)).toEqual([]);
      expect(Object.keys(variables).sort()).toEqual(["name", "number", "owner", ...(cursors.comments ? ["commentsBefore"] : []), ...(cursors.reviews ? ["reviewsBefore"] : [])].sort());
    }
  });

  it("reads page after page back to the first comment, oldest first", async () => {
    const { client, queries } = fakeClient();
    const earlier = await readEarlierActivity(client, { owner: "acme", repo: "environments" }, 7, { comments: "250" });
    expect(earlier.comments.map((c) => c.body)).toEqual(Array.from({ length: 250 }, (_, i) => `c${i}`));
    expect(queries.map((q) => q.commentsBefore)).toEqual(["250", "150", "50"]);
    expect(earlier.truncated).toBe(false);
  });

  it(`stops after ${MAX_EARLIER_PAGES} pages and says so`, async () => {
    const { client, queries } = fakeClient();
    const earlier = await readEarlierActivity(client, { owner: "acme", repo: "environments" }, 7, { comments: String(100 * (MAX_EARLIER_PAGES + 5)) });
    expect(queries).toHaveLength(MAX_EARLIER_PAGES);
    expect(earlier.comments).toHaveLength(100 * MAX_EARLIER_PAGES);
    expect(earlier.truncated).toBe(true);
  });
});
