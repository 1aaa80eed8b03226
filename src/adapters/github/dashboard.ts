/**
 * The dashboard issue on GitHub: found by its label in one REST request, created with the label
 * (GitHub creates a missing label on issue creation), its body replaced in place. Which body to
 * write, and whether to write at all, is decided by src/services/dashboard.ts.
 */
import type { DashboardIssue, DashboardIssuesPort } from "../../core/dashboard/port.js";
import { DASHBOARD_LABEL } from "../../core/dashboard/render.js";
import { formatRepoRef, type GitHubClient, type RepoRef } from "./client.js";
import { callGitHub } from "./errors.js";

/** Issues of the environments repository that carry the dashboard. */
export class GitHubDashboardIssues implements DashboardIssuesPort {
  constructor(
    private readonly client: GitHubClient,
    private readonly repo: RepoRef,
    private readonly label = DASHBOARD_LABEL,
  ) {}

  async findDashboard(): Promise<DashboardIssue | undefined> {
    const { data } = await callGitHub({ operation: "findDashboard", repo: formatRepoRef(this.repo) }, () =>
      this.client.request("GET /repos/{owner}/{repo}/issues", { ...this.repo, labels: this.label, state: "all", sort: "created", direction: "desc", per_page: 20 }),
    );
    // The issues endpoint lists pull requests too; a labelled PR is not the dashboard.
    const issues = data.filter((i) => !i.pull_request).map((i): DashboardIssue => ({ number: i.number, body: i.body ?? "", state: i.state === "closed" ? "closed" : "open", url: i.html_url }));
    // Newest first: the oldest open one is the last. Every replica keeps that one and closes the others.
    const open = issues.filter((i) => i.state === "open");
    const kept = open.at(-1);
    if (!kept) return issues[0];
    const duplicates = open.slice(0, -1).map((i) => i.number);
    return duplicates.length > 0 ? { ...kept, duplicates } : kept;
  }

  async createDashboard(title: string, body: string, labels: string[]): Promise<DashboardIssue> {
    const { data } = await callGitHub({ operation: "createDashboard", repo: formatRepoRef(this.repo) }, () => this.client.request("POST /repos/{owner}/{repo}/issues", { ...this.repo, title, body, labels }));
    return { number: data.number, body: data.body ?? body, state: "open", url: data.html_url };
  }

  async closeDuplicate(number: number, keep: number): Promise<void> {
    const context = { operation: "closeDuplicateDashboard", repo: formatRepoRef(this.repo), issue: number };
    await callGitHub(context, () => this.client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...this.repo, issue_number: number, body: `Duplicate of #${keep}: Stagegate keeps one dashboard issue.` }));
    await callGitHub(context, () => this.client.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...this.repo, issue_number: number, state: "closed", state_reason: "not_planned" }));
  }

  async updateDashboard(number: number, body: string): Promise<void> {
    await callGitHub({ operation: "updateDashboard", repo: formatRepoRef(this.repo), issue: number }, () => this.client.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...this.repo, issue_number: number, body }));
  }
}
