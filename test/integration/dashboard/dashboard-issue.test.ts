// The dashboard issue adapter against a contract-checked fake of GitHub's issues endpoints: every
// request and response is validated against the OpenAPI subset (test/support/github), responses start
// from GitHub's own examples. The service runs end to end over in-memory sources.
import { readFileSync } from "node:fs";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubDashboardIssues } from "../../../src/adapters/github/dashboard.js";
import type { CheckReport } from "../../../src/core/ports/checks.js";
import type { Deployment } from "../../../src/core/ports/deployments.js";
import { refreshDashboard, type DashboardDeps } from "../../../src/services/dashboard.js";
import { createTestClient } from "../../support/github/harness.js";
import { RestContract } from "../../support/github/rest-contract.js";
import { MemoryRepo } from "../../support/memory-repo.js";
import { dashboardFiles } from "../../unit/dashboard/fixture.js";

const examples = (JSON.parse(readFileSync(new URL("../../support/github/openapi-subset.json", import.meta.url), "utf8")) as { components: { examples: Record<string, { value: unknown }> } }).components.examples;
const contract = new RestContract();

interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  pullRequest?: boolean;
}

/** GitHub's issues endpoints for one repository, behind nock, checked against the contract. */
class FakeIssues {
  readonly issues: FakeIssue[] = [];
  readonly requests: { method: string; path: string }[] = [];
  readonly violations: string[] = [];
  readonly comments: { issue: number; body: string }[] = [];

  install(): void {
    const scope = nock("https://api.github.com").persist();
    for (const method of ["get", "post", "patch"] as const) {
      scope[method](/^\/repos\/acme\/environments\/issues/).reply((uri, body) => this.#serve(method.toUpperCase(), uri, typeof body === "string" && body ? (JSON.parse(body) as Record<string, unknown>) : (body as Record<string, unknown> | undefined)));
    }
  }

  #issue(issue: FakeIssue): Record<string, unknown> {
    const base = structuredClone(examples.issue!.value) as Record<string, unknown>;
    const out: Record<string, unknown> = { ...base, number: issue.number, title: issue.title, body: issue.body, state: issue.state, html_url: `https://github.com/acme/environments/issues/${issue.number}`, labels: issue.labels.map((name, i) => ({ id: i + 1, node_id: `LA_${i}`, url: "https://api.github.com/repos/acme/environments/labels/x", name, description: null, color: "ededed", default: false })) };
    if (!issue.pullRequest) delete out.pull_request;
    return out;
  }

  #serve(method: string, uri: string, body: Record<string, unknown> | undefined): [number, unknown] {
    const url = new URL(uri, "https://api.github.com");
    this.requests.push({ method, path: url.pathname });
    this.violations.push(...contract.checkRequest(method, uri, body));
    let reply: [number, unknown] = [404, { message: "Not Found" }];
    const number = /\/issues\/(\d+)$/.exec(url.pathname)?.[1];
    const commented = /\/issues\/(\d+)\/comments$/.exec(url.pathname)?.[1];
    if (method === "POST" && commented) {
      this.comments.push({ issue: Number(commented), body: String(body?.body ?? "") });
      reply = [201, { ...(structuredClone(examples["issue-comment"]!.value) as Record<string, unknown>), body: body?.body }];
    } else if (method === "GET" && !number) {
      const label = url.searchParams.get("labels");
      const state = url.searchParams.get("state") ?? "open";
      const list = this.issues.filter((i) => (state === "all" || i.state === state) && (!label || i.labels.includes(label))).sort((a, b) => b.number - a.number);
      reply = [200, list.map((i) => this.#issue(i))];
    } else if (method === "POST" && !number) {
      const issue: FakeIssue = { number: this.issues.length + 1, title: String(body?.title), body: String(body?.body ?? ""), labels: (body?.labels as string[] | undefined) ?? [], state: "open" };
      this.issues.push(issue);
      reply = [201, this.#issue(issue)];
    } else if (method === "PATCH" && number) {
      const issue = this.issues.find((i) => i.number === Number(number));
      if (issue) {
        if (typeof body?.body === "string") issue.body = body.body;
        if (body?.state === "closed" || body?.state === "open") issue.state = body.state;
        reply = [200, this.#issue(issue)];
      }
    }
    this.violations.push(...contract.checkResponse(method, uri, reply[0], reply[1]).map((v) => `fake response: ${v}`));
    return reply;
  }

  writes(): { method: string; path: string }[] {
    return this.requests.filter((r) => r.method !== "GET");
  }
}

function setup() {
  const github = new FakeIssues();
  github.install();
  let now = Date.parse("2026-03-02T10:00:00Z");
  const deployments: Deployment[] = [];
  const deps: DashboardDeps = {
    repo: new MemoryRepo({ files: dashboardFiles(), repo: "acme/environments" }),
    deployments: { listDeployments: async () => deployments },
    checks: { listChecks: async (): Promise<CheckReport[]> => [] },
    clock: { now: () => new Date(now) },
    issues: new GitHubDashboardIssues(createTestClient(), { owner: "acme", repo: "environments" }),
    repoName: "acme/environments",
  };
  return { github, deps, deployments, advance: (ms: number) => (now += ms) };
}

afterEach(() => {
  nock.cleanAll();
});

describe("dashboard issue on GitHub", () => {
  it("creates it with the label, then makes one request per refresh and no write while unchanged", async () => {
    const { github, deps, advance } = setup();
    expect(await refreshDashboard(deps)).toMatchObject({ action: "created", number: 1 });
    expect(github.issues[0]).toMatchObject({ title: "Stagegate dashboard", labels: ["stagegate:dashboard"], state: "open" });
    expect(github.issues[0]?.body).toContain("| api | `a1a1a1a1a1a1` initial | `a0a0a0a0a0a0` initial |");
    const before = github.requests.length;
    advance(5 * 60_000);
    expect(await refreshDashboard(deps)).toMatchObject({ action: "unchanged", number: 1 });
    expect(github.requests.slice(before)).toEqual([{ method: "GET", path: "/repos/acme/environments/issues" }]);
    expect(github.writes()).toEqual([{ method: "POST", path: "/repos/acme/environments/issues" }]);
    expect(github.violations).toEqual([]);
  });

  it("updates the body in place when the content changes", async () => {
    const { github, deps, deployments } = setup();
    await refreshDashboard(deps);
    deployments.push({ id: "9", environment: "prod", service: "api", digest: `sha256:${"a0".repeat(32)}`, ref: "9".repeat(40), kind: "rollback", createdAt: "2026-03-02T09:00:00Z", payload: { service: "api", digest: `sha256:${"a0".repeat(32)}`, kind: "rollback", reason: "verification failed" }, statuses: [{ state: "success", description: "", creator: "stagegate", createdAt: "2026-03-02T09:10:00Z" }] });
    expect(await refreshDashboard(deps)).toMatchObject({ action: "updated", number: 1 });
    expect(github.writes()).toEqual([
      { method: "POST", path: "/repos/acme/environments/issues" },
      { method: "PATCH", path: "/repos/acme/environments/issues/1" },
    ]);
    expect(github.issues[0]?.body).toContain("verification failed");
    expect(github.violations).toEqual([]);
  });

  it("ignores a pull request carrying the label and finds the open dashboard among closed ones", async () => {
    const { github, deps } = setup();
    github.issues.push({ number: 1, title: "Stagegate dashboard", body: "old", labels: ["stagegate:dashboard"], state: "closed" });
    github.issues.push({ number: 2, title: "Stagegate dashboard", body: "stale", labels: ["stagegate:dashboard"], state: "open" });
    github.issues.push({ number: 3, title: "labelled PR", body: "", labels: ["stagegate:dashboard"], state: "open", pullRequest: true });
    expect(await refreshDashboard(deps)).toMatchObject({ action: "updated", number: 2 });
    expect(github.writes()).toEqual([{ method: "PATCH", path: "/repos/acme/environments/issues/2" }]);
    expect(github.violations).toEqual([]);
  });
  it("closes a duplicate dashboard with a comment naming the one kept, through the contract", async () => {
    const { github, deps } = setup();
    github.issues.push({ number: 1, title: "Stagegate dashboard", body: "", labels: ["stagegate:dashboard"], state: "open" });
    github.issues.push({ number: 2, title: "Stagegate dashboard", body: "", labels: ["stagegate:dashboard"], state: "open" });
    expect(await refreshDashboard(deps)).toMatchObject({ action: "updated", number: 1 });
    expect(github.comments).toEqual([{ issue: 2, body: "Duplicate of #1: Stagegate keeps one dashboard issue." }]);
    expect(github.issues.map((i) => [i.number, i.state])).toEqual([
      [1, "open"],
      [2, "closed"],
    ]);
    expect(github.violations).toEqual([]);
  });
});
