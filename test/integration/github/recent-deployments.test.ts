// The dashboard's deployments on GitHub: the repository-wide list holds its newest 100 only, so a busy
// dev pipeline pushed prod's latest deployment (its matrix cell) and its DORA window out of it. They are
// read per environment, in one request for every first page, and prod is paged back to the window's start.
import { describe, expect, it } from "vitest";
import { GitHubDeployments, MAX_HISTORY_PAGES } from "../../../src/adapters/github/deployments.js";
import type { GitHubClient } from "../../../src/adapters/github/client.js";
import { FactsSession } from "../../../src/adapters/github/facts-session.js";
import { checkGraphqlRequest } from "../../support/github/graphql-contract.js";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-03-31T00:00:00Z");

/** A deployment node as GitHub returns it, `hoursAgo` before NOW. */
function node(id: number, environment: string, hoursAgo: number) {
  const payload = JSON.stringify({ stagegate: 1, service: "api", digest: `sha256:${String(id).padStart(64, "0")}`, kind: "promotion" });
  return { databaseId: id, environment, task: "deploy:api", payload, createdAt: new Date(NOW - hoursAgo * HOUR).toISOString(), commitOid: "c".repeat(40), creator: { login: "stagegate[bot]" }, statuses: { nodes: [] } };
}

/** Each environment's deployments, newest first, served 100 per page with cursors `<env>:<offset>`. */
function fakeGitHub(byEnvironment: Record<string, ReturnType<typeof node>[]>) {
  const requests: { environments: string[]; cursors: (string | null)[] }[] = [];
  const graphql = (async (query: string, variables: Record<string, unknown>) => {
    expect(checkGraphqlRequest(query, variables)).toEqual([]);
    const fields = Object.keys(variables).filter((k) => /^e\d+$/.test(k));
    requests.push({ environments: fields.map((k) => (variables[k] as string[])[0]!), cursors: fields.map((k) => variables[`a${k.slice(1)}`] as string | null) });
    const repository: Record<string, unknown> = {};
    for (const k of fields) {
      const environment = (variables[k] as string[])[0]!;
      const after = variables[`a${k.slice(1)}`] as string | null;
      const offset = after ? Number(after.split(":")[1]) : 0;
      const all = byEnvironment[environment] ?? [];
      const page = all.slice(offset, offset + 100);
      repository[k] = { nodes: page, pageInfo: { hasNextPage: offset + 100 < all.length, endCursor: page.length > 0 ? `${environment}:${offset + page.length}` : null } };
    }
    return { repository };
  }) as unknown as GitHubClient["graphql"];
  const client = { graphql, request: (async () => ({ data: [] })) as unknown as GitHubClient["request"] } satisfies GitHubClient;
  return { client, requests };
}

describe("GitHubDeployments.listRecentDeployments", () => {
  it("reads each environment's newest, and prod back to the window's start, in few requests", async () => {
    // dev deploys every 10 minutes (500 in 3.5 days); prod twice a day for 40 days, the latest 4 days ago.
    const dev = Array.from({ length: 500 }, (_, i) => node(100_000 + 500 - i, "dev", i / 6));
    const prod = Array.from({ length: 80 }, (_, i) => node(10_000 + 80 - i, "prod", 96 + i * 12));
    const staging = Array.from({ length: 250 }, (_, i) => node(50_000 + 250 - i, "staging", i * 2));
    const { client, requests } = fakeGitHub({ dev, staging, prod });
    const session = new FactsSession(client, { owner: "acme", repo: "environments" }, { appId: 1, botLogin: "stagegate", verifier: "stagegate" });
    const deployments = new GitHubDeployments(session);
    const since = new Date(NOW - 30 * 24 * HOUR);
    const list = await deployments.listRecentDeployments(["dev", "staging", "prod"], since, ["prod"]);

    // One request: prod's 80 fit in its first page; dev and staging are not history, their first page is enough.
    expect(requests).toEqual([{ environments: ["dev", "staging", "prod"], cursors: [null, null, null] }]);
    expect(list.filter((d) => d.environment === "prod")).toHaveLength(80);
    expect(list.filter((d) => d.environment === "dev")).toHaveLength(100);
    expect(list.map((d) => d.createdAt)).toEqual([...list.map((d) => d.createdAt)].sort().reverse());
    // The repository-wide newest 100 would all be dev's: no prod deployment at all.
    expect([...dev, ...prod, ...staging].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 100).some((n) => n.environment === "prod")).toBe(false);
  });

  it("pages a history environment back past the window's start, and no further than its cap", async () => {
    // prod every hour: 30 days hold 720; the 30-day window needs 8 pages, the 9th starts before it.
    const prod = Array.from({ length: 2_000 }, (_, i) => node(1_000_000 - i, "prod", i));
    const { client, requests } = fakeGitHub({ prod, dev: [node(5, "dev", 1)] });
    const session = new FactsSession(client, { owner: "acme", repo: "environments" }, { appId: 1, botLogin: "stagegate", verifier: "stagegate" });
    const list = await new GitHubDeployments(session).listRecentDeployments(["dev", "prod"], new Date(NOW - 30 * 24 * HOUR), ["prod"]);
    expect(requests.map((r) => r.environments)).toEqual([["dev", "prod"], ...Array.from({ length: 7 }, () => ["prod"])]);
    expect(requests[1]?.cursors).toEqual(["prod:100"]);
    const inWindow = list.filter((d) => d.environment === "prod" && Date.parse(d.createdAt) > NOW - 30 * 24 * HOUR);
    expect(inWindow).toHaveLength(720);

    const busy = Array.from({ length: 5_000 }, (_, i) => node(2_000_000 - i, "prod", i / 10));
    const capped = fakeGitHub({ prod: busy });
    const session2 = new FactsSession(capped.client, { owner: "acme", repo: "environments" }, { appId: 1, botLogin: "stagegate", verifier: "stagegate" });
    const read = await new GitHubDeployments(session2).listRecentDeployments(["prod"], new Date(NOW - 30 * 24 * HOUR), ["prod"]);
    expect(capped.requests).toHaveLength(MAX_HISTORY_PAGES);
    expect(read).toHaveLength(100 * MAX_HISTORY_PAGES);
  });
});
