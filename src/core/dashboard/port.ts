/** The dashboard issue as the port sees it. */
export interface DashboardIssue {
  number: number;
  body: string;
  state: "open" | "closed";
  url?: string;
  /** Other open dashboard issues (two replicas that created one each at once): closed as duplicates. */
  duplicates?: number[];
}

/**
 * Where the dashboard lives. GitHub: an issue labelled `stagegate:dashboard` in the environments
 * repository (src/adapters/github/dashboard.ts). Tests: an in-memory fake.
 */
export interface DashboardIssuesPort {
  /**
   * The dashboard issue, in one request; undefined when none. The oldest open one (every replica picks
   * the same), the others open listed as its duplicates; with none open, the newest closed one.
   */
  findDashboard(): Promise<DashboardIssue | undefined>;
  createDashboard(title: string, body: string, labels: string[]): Promise<DashboardIssue>;
  updateDashboard(number: number, body: string): Promise<void>;
  /** Closes a duplicate dashboard issue, saying which one is kept. */
  closeDuplicate(number: number, keep: number): Promise<void>;
}
