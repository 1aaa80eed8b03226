/** The dashboard issue as the port sees it. */
export interface DashboardIssue {
  number: number;
  body: string;
  state: "open" | "closed";
  url?: string;
}

/**
 * Where the dashboard lives. GitHub: an issue labelled `stagegate:dashboard` in the environments
 * repository (src/adapters/github/dashboard.ts). Tests: an in-memory fake.
 */
export interface DashboardIssuesPort {
  /** The dashboard issue (newest open one, else the newest closed one), in one request; undefined when none. */
  findDashboard(): Promise<DashboardIssue | undefined>;
  createDashboard(title: string, body: string, labels: string[]): Promise<DashboardIssue>;
  updateDashboard(number: number, body: string): Promise<void>;
}
