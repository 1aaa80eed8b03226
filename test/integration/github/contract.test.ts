import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { SNAPSHOT_QUERY } from "../../../src/adapters/github/snapshot-query.js";
import { buildOpenMutation } from "../../../src/adapters/github/promotion-mutations.js";
import { checkGraphqlRequest } from "../../support/github/graphql-contract.js";
import { RestContract } from "../../support/github/rest-contract.js";
import { createWorld, useFakeGitHub } from "../../support/github/harness.js";

const fakeGitHub = useFakeGitHub();

describe("GitHub contract harness", () => {
  it("accepts the app's documents", () => {
    expect(checkGraphqlRequest(SNAPSHOT_QUERY, { owner: "acme", name: "environments", refPrefix: "refs/heads/stagegate/" })).toEqual([]);
  });

  it("catches a field GitHub's GraphQL schema does not have", () => {
    const wrong = SNAPSHOT_QUERY.replace("nameWithOwner", "nameWithOwnr");
    expect(checkGraphqlRequest(wrong, { owner: "acme", name: "environments", refPrefix: "refs/heads/stagegate/" })).toEqual([expect.stringContaining('Cannot query field "nameWithOwnr" on type "Repository"')]);
  });

  it("catches variables of the wrong type", () => {
    const { query, variables } = buildOpenMutation({
      mode: "pr-only",
      plan: { baseRef: "main", branch: "stagegate/dev/x/1", title: "t", body: "b" } as never,
      repositoryId: "R_1",
      nameWithOwner: "acme/environments",
      ownerIsOrganization: true,
      missingLabels: [],
      reviewers: { users: [], teams: [] },
    });
    expect(checkGraphqlRequest(query, variables)).toEqual([]);
    expect(checkGraphqlRequest(query, { ...variables, title: 42 }).join("\n")).toMatch(/\$title.*String/);
  });

  it("catches a REST body field the OpenAPI description does not allow, and an undocumented route", () => {
    const contract = new RestContract();
    expect(contract.checkRequest("POST", "/repos/acme/x/check-runs", { name: "stagegate/intake", head_sha: "a".repeat(40), status: "completed", conclusion: "failure" })).toEqual([]);
    expect(contract.checkRequest("POST", "/repos/acme/x/check-runs", { name: "stagegate/intake", head_sha: "a".repeat(40), conclusion: "exploded" }).join("\n")).toContain("conclusion");
    expect(contract.checkRequest("POST", "/repos/acme/x/issues/1/reactions", { content: "eyes" })).toEqual([expect.stringContaining("not in the OpenAPI subset")]);
  });

  it("fails the test when the app sends a request GitHub would reject", async () => {
    const fake = fakeGitHub(createWorld());
    const client = new Octokit({ auth: "t", request: { retries: 0 } });
    await client.graphql("query { repository(owner: \"acme\", name: \"environments\") { nameWithOwnr } }").catch(() => undefined);
    await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: "acme", repo: "environments", issue_number: 1, bodyy: "x" } as never).catch(() => undefined);
    expect(() => fake.assertContract()).toThrow(/nameWithOwnr[\s\S]*body/);
    fake.violations.length = 0;
  });
});
