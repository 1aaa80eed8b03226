import type { Artifact } from "../artifact.js";

export type DeploymentKind = "promotion" | "rollback";

/** GitHub's deployment states (pending/queued collapsed into queued). */
export type DeploymentState = "queued" | "in_progress" | "success" | "failure" | "error" | "inactive";

/** What Stagegate stores in a deployment's payload. */
export interface DeploymentPayload {
  service: string;
  digest: string;
  kind: DeploymentKind;
  /** Digest running before this deployment (the rollback target). */
  previousDigest?: string;
  /** Tag that was written next to the previous digest (a rollback writes it back). */
  previousTag?: string;
  /** The artifact as promoted (source commit, tag, …), carried to the next stage. */
  artifact?: Artifact;
  /** Who asked for the promotion (separation of duties follows the artifact downstream). */
  requestedBy?: string;
  /** Promotion PR merged by this deployment's commit. */
  pullRequest?: number;
  /** Files of the environment the commit changed for this service (the exact set a rollback restores). */
  files?: string[];
  /** Rollbacks: id of the deployment rolled back, and why. */
  rollbackOf?: string;
  reason?: string;
}

export interface DeploymentStatus {
  state: DeploymentState;
  description: string;
  /** Who posted it: the deployer (Argo CD, Flux, a workflow, `stagegate deploy-status`) or `stagegate` (its verdict). */
  creator: string;
  createdAt: string;
  logUrl?: string;
  /**
   * The commit status / check name the deployer reported under (e.g. `deploy/checkout`, `argocd/checkout-prod`):
   * matched against the policy's `verification.statuses`. Absent on plain deployment statuses.
   */
  context?: string;
}

/** One deployment of one service's digest into one environment, created on the push that changed it. */
export interface Deployment {
  id: string;
  environment: string;
  service: string;
  digest: string;
  /** Commit of the default branch that put the digest there. */
  ref: string;
  kind: DeploymentKind;
  createdAt: string;
  payload: DeploymentPayload;
  /** Oldest first. */
  statuses: DeploymentStatus[];
}

export interface NewDeployment {
  environment: string;
  ref: string;
  payload: DeploymentPayload;
}

/**
 * Deployments. GitHub: the Deployments API (task `deploy:<service>`). Local mode: `refs/stagegate/deployments/…`.
 */
export interface DeploymentsPort {
  /** Idempotent on (environment, service, ref): a second call returns the first deployment with created=false. */
  createDeployment(input: NewDeployment): Promise<{ deployment: Deployment; created: boolean }>;
  addDeploymentStatus(id: string, status: Omit<DeploymentStatus, "createdAt">): Promise<void>;
  /** Newest first. */
  listDeployments(filter?: { environment?: string; service?: string }): Promise<Deployment[]>;
  /**
   * Newest first: the latest deployments of each of `environments`, and every deployment since `since`
   * of those in `history` (the dashboard's matrix and DORA window). Adapters whose listDeployments
   * already returns every deployment need not implement it.
   */
  listRecentDeployments?(environments: readonly string[], since: Date, history?: readonly string[]): Promise<Deployment[]>;
}
