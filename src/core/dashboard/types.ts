/**
 * The promotion dashboard's data: a plain object gathered by src/services/dashboard.ts from the
 * ports and turned into an issue body (render.ts) or a terminal matrix (`stagegate status`).
 * Nothing here reads GitHub or git; every time is an ISO 8601 string.
 */
import type { Band } from "../audit/dora.js";

/**
 * Health of what runs in one environment for one service, from its latest deployment; `mixed` when the
 * environment's files reference different digests (no one deployment describes what runs).
 */
export type CellHealth = "healthy" | "failed" | "deploying" | "initial" | "absent" | "mixed";

/** One cell of the services × environments matrix. */
export interface DashboardCell {
  environment: string;
  service: string;
  /** Digest(s) the environment's files reference (several when its files disagree). */
  digests: string[];
  health: CellHealth;
  /** When the health was reached (verified, failed) or the deployment created; absent for initial/absent. */
  since?: string;
}

/** A gate check at a glance. */
export interface GateGlance {
  /** Check name without the `stagegate/` prefix. */
  name: string;
  state: "success" | "failure" | "neutral" | "pending";
  title: string;
}

/** An open promotion or rollback PR with its `stagegate` summary check and gate checks. */
export interface DashboardPullRequest {
  number: number;
  title: string;
  url: string;
  kind?: "promotion" | "rollback";
  environment?: string;
  service?: string;
  openedAt: string;
  /** The `stagegate` summary check; undefined until first evaluated. */
  summary?: GateGlance;
  gates: GateGlance[];
}

/** An approvals gate still waiting on an open PR. */
export interface PendingApproval {
  number: number;
  title: string;
  url: string;
  gate: string;
  environment?: string;
  openedAt: string;
  ageMs: number;
  /** The gate's `sla`, when set. */
  slaMs?: number;
  breached: boolean;
  waiting: string;
}

/** A rollback deployment. */
export interface RecentRollback {
  environment: string;
  service: string;
  digest: string;
  /** The digest rolled away from. */
  from?: string;
  at: string;
  reason?: string;
  pullRequest?: number;
}

/** An environment whose window gate refuses promotions now. */
export interface ActiveFreeze {
  environment: string;
  gate: string;
  state: "frozen" | "closed" | "misconfigured";
  summary: string;
  /** When the window gate will be looked at again (the freeze ends or the window opens). */
  until?: string;
}

/** A gate currently passing by an override on an open PR. */
export interface ActiveOverride {
  number: number;
  url: string;
  gate: string;
  title: string;
}

/** DORA headline figures over the production-like environments. */
export interface DoraHeadline {
  windowDays: number;
  environments: string[];
  deploymentsPerDay: number;
  deploymentBand: Band | "none";
  leadTimeMs?: number;
  leadTimeBand: Band | "none";
  changeFailureRate?: number;
  changeFailureBand: Band | "none";
  timeToRestoreMs?: number;
  timeToRestoreBand: Band | "none";
}

/** Everything the dashboard shows. */
export interface DashboardState {
  /** `owner/name` of the environments repository, when known (links). */
  repo?: string;
  /** Default branch and the commit the matrix was read at. */
  ref: string;
  oid: string;
  /** When the state was gathered (shown, but not part of the content hash). */
  generatedAt: string;
  environments: string[];
  services: string[];
  cells: DashboardCell[];
  pullRequests: DashboardPullRequest[];
  approvals: PendingApproval[];
  rollbacks: RecentRollback[];
  freezes: ActiveFreeze[];
  overrides: ActiveOverride[];
  dora?: DoraHeadline;
}
