import { describe, expect, it } from "vitest";
import { toRouteLabel, toRouteTemplate } from "../../../src/observability/github-route.js";

describe("toRouteTemplate", () => {
  it.each([
    // templates from octokit.rest.* pass through (query expansions dropped)
    ["/repos/{owner}/{repo}/pulls", "/repos/{owner}/{repo}/pulls"],
    ["/repos/{owner}/{repo}/pulls{?state,head}", "/repos/{owner}/{repo}/pulls"],
    ["/graphql", "/graphql"],
    // raw URLs are folded back into templates
    ["https://api.github.com/repositories/123456/pulls?page=2&per_page=100", "/repositories/{repository_id}/pulls"],
    ["https://ghe.example.com/api/v3/repos/acme/envs/pulls/42/reviews", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"],
    ["/repos/acme/envs/git/ref/heads%2Fstagegate%2Fprod%2Fcheckout%2F0123abcd", "/repos/{owner}/{repo}/git/ref/{ref}"],
    ["/repos/acme/envs/git/refs/heads/feature/x", "/repos/{owner}/{repo}/git/refs/{ref}"],
    ["/repos/acme/envs/contents/environments/prod/kustomization.yaml", "/repos/{owner}/{repo}/contents/{path}"],
    ["/repos/acme/envs/commits/0123456789abcdef0123456789abcdef01234567/check-runs", "/repos/{owner}/{repo}/commits/{ref}/check-runs"],
    ["/repos/acme/envs/issues/comments/99", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
    ["/repos/acme/envs/deployments/7/statuses", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses"],
    ["/repos/acme/envs/environments/prod-eu", "/repos/{owner}/{repo}/environments/{environment_name}"],
    ["/app/installations/31337/access_tokens", "/app/installations/{installation_id}/access_tokens"],
    ["/orgs/acme/teams/platform/members", "/orgs/{org}/teams/{team_slug}/members"],
    ["/repos/acme/envs/check-runs/5", "/repos/{owner}/{repo}/check-runs/{check_run_id}"],
    ["https://api.github.com", "/"],
  ])("%s → %s", (url, template) => {
    expect(toRouteTemplate(url)).toBe(template);
  });

  it("prefixes the method", () => {
    expect(toRouteLabel("post", "/repos/{owner}/{repo}/pulls")).toBe("POST /repos/{owner}/{repo}/pulls");
  });
});
