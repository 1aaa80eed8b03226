import nock from "nock";
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { createPrometheusMetrics } from "../../../src/observability/metrics.js";
import { instrumentOctokit, octokitMetricsPlugin } from "../../../src/observability/octokit.js";

const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } }));

function setup() {
  const { metrics, registry } = createPrometheusMetrics({ collectDefaultMetrics: false });
  return { metrics, text: () => registry.metrics() };
}

describe("octokitMetricsPlugin", () => {
  it("counts requests by route template and status and records rate-limit headroom per resource", async () => {
    const { metrics, text } = setup();
    const Octokit = TestOctokit.plugin(octokitMetricsPlugin(metrics));
    const octokit = new Octokit({ auth: "ghs_test" });
    nock("https://api.github.com")
      .get("/repos/acme/envs/pulls")
      .query({ state: "open" })
      .reply(200, [], { "x-ratelimit-remaining": "4990", "x-ratelimit-resource": "core" })
      .get("/repos/acme/envs/pulls/7")
      .reply(404, { message: "Not Found" }, { "x-ratelimit-remaining": "4989", "x-ratelimit-resource": "core" })
      .post("/graphql")
      .reply(200, { data: { viewer: { login: "stagegate[bot]" } } }, { "x-ratelimit-remaining": "4800", "x-ratelimit-resource": "graphql" });

    await octokit.rest.pulls.list({ owner: "acme", repo: "envs", state: "open" });
    await expect(octokit.rest.pulls.get({ owner: "acme", repo: "envs", pull_number: 7 })).rejects.toMatchObject({ status: 404 });
    await octokit.graphql("query { viewer { login } }");

    const output = await text();
    expect(output).toContain('stagegate_github_requests_total{route="GET /repos/{owner}/{repo}/pulls",status="200"} 1');
    expect(output).toContain('stagegate_github_requests_total{route="GET /repos/{owner}/{repo}/pulls/{pull_number}",status="404"} 1');
    expect(output).toContain('stagegate_github_requests_total{route="POST /graphql",status="200"} 1');
    expect(output).toContain('stagegate_github_rate_limit_remaining{resource="core"} 4989');
    expect(output).toContain('stagegate_github_rate_limit_remaining{resource="graphql"} 4800');
    expect(output).not.toContain("acme");
  });

  it("templates raw pagination URLs and counts network failures as status 'error'", async () => {
    const { metrics, text } = setup();
    const octokit = new TestOctokit({ auth: "ghs_test", baseUrl: "https://ghe.example.com/api/v3" });
    instrumentOctokit(octokit, metrics);
    nock("https://ghe.example.com")
      .get("/api/v3/repositories/42/pulls")
      .query({ page: "2" })
      .reply(200, [])
      .get("/api/v3/repos/acme/envs/contents/environments%2Fprod%2Fkustomization.yaml")
      .replyWithError("socket hang up");

    await octokit.request("GET https://ghe.example.com/api/v3/repositories/42/pulls?page=2");
    await expect(octokit.request("GET /repos/acme/envs/contents/environments%2Fprod%2Fkustomization.yaml")).rejects.toThrow();

    const output = await text();
    expect(output).toContain('stagegate_github_requests_total{route="GET /repositories/{repository_id}/pulls",status="200"} 1');
    expect(output).toContain('stagegate_github_requests_total{route="GET /repos/{owner}/{repo}/contents/{path}",status="error"} 1');
    expect(output).not.toContain("stagegate_github_rate_limit_remaining{");
  });
});
