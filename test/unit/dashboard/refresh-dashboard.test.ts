import { describe, expect, it } from "vitest";
import type { DashboardIssue, DashboardIssuesPort } from "../../../src/core/dashboard/index.js";
import type { CheckReport, ChecksPort } from "../../../src/core/ports/checks.js";
import type { Deployment, DeploymentsPort } from "../../../src/core/ports/deployments.js";
import { refreshDashboard, type DashboardDeps } from "../../../src/services/dashboard.js";
import { MemoryRepo } from "../../support/memory-repo.js";
import { dashboardFiles, deployment, dig } from "./fixture.js";

/** Issues in memory; counts writes. */
class MemoryIssues implements DashboardIssuesPort {
  readonly issues: (DashboardIssue & { title: string; labels: string[] })[] = [];
  readonly writes: string[] = [];
  reads = 0;

  async findDashboard(): Promise<DashboardIssue | undefined> {
    this.reads++;
    const mine = this.issues.filter((i) => i.labels.includes("stagegate:dashboard")).reverse();
    const open = mine.filter((i) => i.state === "open");
    const kept = open.at(-1);
    if (!kept) return mine[0];
    return open.length > 1 ? { ...kept, duplicates: open.slice(0, -1).map((i) => i.number) } : kept;
  }

  async closeDuplicate(number: number, keep: number): Promise<void> {
    this.writes.push(`close #${number} (duplicate of #${keep})`);
    const issue = this.issues.find((i) => i.number === number);
    if (issue) issue.state = "closed";
  }

  async createDashboard(title: string, body: string, labels: string[]): Promise<DashboardIssue> {
    this.writes.push(`create ${title}`);
    const issue = { number: this.issues.length + 1, title, body, labels, state: "open" as const };
    this.issues.push(issue);
    return issue;
  }

  async updateDashboard(number: number, body: string): Promise<void> {
    this.writes.push(`update #${number}`);
    const issue = this.issues.find((i) => i.number === number);
    if (issue) issue.body = body;
  }
}

class MemoryDeployments implements Pick<DeploymentsPort, "listDeployments"> {
  constructor(readonly list: Deployment[]) {}
  async listDeployments(): Promise<Deployment[]> {
    return [...this.list].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}

const noChecks = { listChecks: async (): Promise<CheckReport[]> => [] } satisfies Pick<ChecksPort, "listChecks">;

function world() {
  let now = Date.parse("2026-03-02T10:00:00Z");
  const deployments = new MemoryDeployments([deployment("1", "dev", "api", dig("a1"), "2026-03-01T08:00:00Z", [{ state: "in_progress", at: "2026-03-01T08:01:00Z" }])]);
  const issues = new MemoryIssues();
  const deps: DashboardDeps = {
    repo: new MemoryRepo({ files: dashboardFiles(), repo: "acme/environments" }),
    deployments,
    checks: noChecks,
    clock: { now: () => new Date(now) },
    issues,
    repoName: "acme/environments",
  };
  return { deps, issues, deployments, advance: (ms: number) => (now += ms) };
}

describe("refreshDashboard", () => {
  it("creates the issue once, then writes nothing while the content is unchanged", async () => {
    const { deps, issues, advance } = world();
    expect(await refreshDashboard(deps)).toMatchObject({ action: "created", number: 1 });
    expect(issues.issues[0]).toMatchObject({ title: "Stagegate dashboard", labels: ["stagegate:dashboard"] });
    advance(60_000);
    expect(await refreshDashboard(deps)).toMatchObject({ action: "unchanged", number: 1 });
    advance(3_600_000);
    expect(await refreshDashboard(deps)).toMatchObject({ action: "unchanged" });
    expect(issues.writes).toEqual(["create Stagegate dashboard"]);
    expect(issues.reads).toBe(3);
  });

  it("rewrites the body when what runs where changes, once", async () => {
    const { deps, issues, deployments } = world();
    await refreshDashboard(deps);
    deployments.list[0]!.statuses.push({ state: "success", description: "verified", creator: "stagegate", createdAt: "2026-03-02T10:00:30Z" });
    expect(await refreshDashboard(deps)).toMatchObject({ action: "updated", number: 1 });
    expect(issues.issues[0]?.body).toContain("✅ healthy since 2026-03-02 10:00");
    expect(await refreshDashboard(deps)).toMatchObject({ action: "unchanged" });
    expect(issues.writes).toEqual(["create Stagegate dashboard", "update #1"]);
  });

  it("rewrites a body someone edited (its hash no longer matches)", async () => {
    const { deps, issues } = world();
    await refreshDashboard(deps);
    issues.issues[0]!.body = "edited by hand";
    expect(await refreshDashboard(deps)).toMatchObject({ action: "updated" });
    expect(issues.issues[0]?.body).toContain("# Stagegate dashboard");
  });

  it("rewrites a body someone edited around the hash comment, which the hash alone would keep", async () => {
    const { deps, issues } = world();
    await refreshDashboard(deps);
    const written = issues.issues[0]!.body;
    issues.issues[0]!.body = `${written}\n\nprod is frozen until Friday, ask @acme/sre`;
    expect(await refreshDashboard(deps)).toMatchObject({ action: "updated" });
    expect(issues.issues[0]?.body).toBe(written);
    expect(await refreshDashboard(deps)).toMatchObject({ action: "unchanged" });
  });

  it("reads deployments per environment where the adapter can, prod back to the DORA window's start", async () => {
    const { deps, issues } = world();
    const calls: unknown[][] = [];
    const list = await deps.deployments.listDeployments();
    deps.deployments = {
      listDeployments: async () => [],
      listRecentDeployments: async (...args) => {
        calls.push(args);
        return list;
      },
    };
    await refreshDashboard(deps);
    expect(calls).toEqual([[["dev", "prod"], new Date(Date.parse("2026-03-02T10:00:00Z") - 30 * 86_400_000), ["prod"]]]);
    expect(issues.issues[0]?.body).toContain("⏳ deploying since 2026-03-01 08:0");
  });

  it("closes the duplicates two replicas created at once, and keeps the oldest (every replica picks the same)", async () => {
    const { deps, issues } = world();
    const [first, second] = await Promise.all([refreshDashboard(deps), refreshDashboard(deps)]);
    expect([first.action, second.action]).toEqual(["created", "created"]);
    expect(await refreshDashboard(deps)).toMatchObject({ action: "unchanged", number: 1 });
    expect(issues.writes).toEqual(["create Stagegate dashboard", "create Stagegate dashboard", "close #2 (duplicate of #1)"]);
    expect(issues.issues.map((i) => [i.number, i.state])).toEqual([
      [1, "open"],
      [2, "closed"],
    ]);
    expect(await refreshDashboard(deps)).toMatchObject({ action: "unchanged", number: 1 });
  });

  it("leaves a dashboard a person closed alone, and does not open another", async () => {
    const { deps, issues, deployments } = world();
    await refreshDashboard(deps);
    issues.issues[0]!.state = "closed";
    deployments.list[0]!.statuses.push({ state: "failure", description: "", creator: "stagegate", createdAt: "2026-03-02T10:00:30Z" });
    expect(await refreshDashboard(deps)).toMatchObject({ action: "closed", number: 1 });
    expect(issues.writes).toEqual(["create Stagegate dashboard"]);
  });
});
