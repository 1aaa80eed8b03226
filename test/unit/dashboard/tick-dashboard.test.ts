// The tick refreshes the dashboard last, on a real local environments repository (local adapter).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { initLocalRepo } from "../../../src/adapters/git/local-adapter.js";
import { toLifecycleDeps } from "../../../src/adapters/git/local-lifecycle.js";
import type { DashboardIssue, DashboardIssuesPort } from "../../../src/core/dashboard/index.js";
import { tick } from "../../../src/services/tick.js";
import { dashboardFiles } from "./fixture.js";

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

class OneIssue implements DashboardIssuesPort {
  issue: DashboardIssue | undefined;
  writes = 0;
  failFind = false;
  async findDashboard() {
    if (this.failFind) throw new Error("GitHub is down");
    return this.issue;
  }
  async createDashboard(_title: string, body: string) {
    this.writes++;
    this.issue = { number: 1, body, state: "open" as const };
    return this.issue;
  }
  async updateDashboard(_number: number, body: string) {
    this.writes++;
    if (this.issue) this.issue.body = body;
  }
  async closeDuplicate(): Promise<void> {
    throw new Error("one issue has no duplicate");
  }
}

describe("tick with a dashboard", () => {
  it("creates the dashboard on the first pass and writes nothing on the next", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stagegate-dash-"));
    dirs.push(dir);
    const clock = { now: () => new Date("2026-03-02T10:00:00Z") };
    const deps = toLifecycleDeps(await initLocalRepo(dir, new Map(Object.entries(dashboardFiles())), { clock }));
    const issues = new OneIssue();
    expect((await tick({ ...deps, dashboard: issues })).dashboard).toMatchObject({ action: "created" });
    expect(issues.issue?.body).toContain("| web | `b1b1b1b1b1b1` initial | — |");
    expect((await tick({ ...deps, dashboard: issues })).dashboard).toMatchObject({ action: "unchanged" });
    expect(issues.writes).toBe(1);
    expect((await tick(deps)).dashboard).toBeUndefined();
  });

  it("a failing dashboard does not fail the reconcile", async () => {
    const dir = await mkdtemp(join(tmpdir(), "stagegate-dash-"));
    dirs.push(dir);
    const deps = toLifecycleDeps(await initLocalRepo(dir, new Map(Object.entries(dashboardFiles())), { clock: { now: () => new Date("2026-03-02T10:00:00Z") } }));
    const issues = new OneIssue();
    issues.failFind = true;
    const report = await tick({ ...deps, dashboard: issues });
    expect(report.dashboard).toBeUndefined();
    expect(report.evaluations).toEqual([]);
  });
});
