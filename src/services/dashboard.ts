/**
 * Keeps the promotion dashboard issue up to date (like Renovate's Dependency Dashboard): gathers the
 * state through the ports, renders it (src/core/dashboard), finds the issue by label in one request,
 * creates it when absent and rewrites it only when its body differs from what would be written (the
 * time of the last change aside). Level-triggered: run it on every tick; an unchanged dashboard costs
 * reads only, never a write.
 */
import { productionEnvironments } from "../core/audit/dora.js";
import { buildDashboardState, DORA_WINDOW_DAYS } from "../core/dashboard/state.js";
import type { DashboardState } from "../core/dashboard/types.js";
import type { DashboardIssuesPort } from "../core/dashboard/port.js";
import { DASHBOARD_LABEL, DASHBOARD_TITLE, renderDashboard, sameDashboard } from "../core/dashboard/render.js";
import { silentLogger, type Logger } from "../core/logger.js";
import type { ChecksPort } from "../core/ports/checks.js";
import type { Clock } from "../core/ports/clock.js";
import type { DeploymentsPort } from "../core/ports/deployments.js";
import type { EnvironmentsRepoPort } from "../core/ports/environments-repo.js";
import { loadSnapshotConfig, VERIFIER } from "./lifecycle-deps.js";

/** The ports the dashboard reads (LifecycleDeps fits; only reads are used). */
export interface DashboardSources {
  repo: Pick<EnvironmentsRepoPort, "readSnapshot" | "listOpenPromotions">;
  deployments: Pick<DeploymentsPort, "listDeployments" | "listRecentDeployments">;
  checks: Pick<ChecksPort, "listChecks">;
  clock: Clock;
  log?: Logger;
  /** `owner/name` shown in the dashboard. */
  repoName?: string;
}

export interface DashboardDeps extends DashboardSources {
  issues: DashboardIssuesPort;
}

export type DashboardAction = "created" | "updated" | "unchanged" | "closed";

export interface DashboardOutcome {
  action: DashboardAction;
  number?: number;
  hash: string;
}

/** Reads the snapshot, deployments, open promotions and their checks; builds the dashboard state. */
export async function gatherDashboardState(deps: DashboardSources): Promise<DashboardState> {
  const [snapshot, open] = await Promise.all([deps.repo.readSnapshot(), deps.repo.listOpenPromotions()]);
  const loaded = loadSnapshotConfig(snapshot);
  // Per environment where the adapter can (GitHub): the repository's newest 100 deployments would leave
  // out prod's latest one, and its DORA window, whenever dev deploys more often.
  const since = new Date(deps.clock.now().getTime() - DORA_WINDOW_DAYS * 86_400_000);
  const [deployments, pulls] = await Promise.all([
    deps.deployments.listRecentDeployments
      ? deps.deployments.listRecentDeployments(
          loaded.config.environments.map((e) => e.name),
          since,
          productionEnvironments(loaded.config.environments),
        )
      : deps.deployments.listDeployments(),
    Promise.all(open.map(async (pr) => ({ pr, checks: await deps.checks.listChecks(pr.headSha) }))),
  ]);
  return buildDashboardState({ now: deps.clock.now(), repo: deps.repoName, snapshot, loaded, deployments, pulls, verifier: VERIFIER });
}

/** Creates or updates the dashboard issue; writes nothing when its content is unchanged or it was closed. */
export async function refreshDashboard(deps: DashboardDeps): Promise<DashboardOutcome> {
  const log = (deps.log ?? silentLogger).child({ op: "dashboard" });
  const [state, existing] = await Promise.all([gatherDashboardState(deps), deps.issues.findDashboard()]);
  const { body, hash } = renderDashboard(state);
  if (!existing) {
    const created = await deps.issues.createDashboard(DASHBOARD_TITLE, body, [DASHBOARD_LABEL]);
    log.info({ issue: created.number }, "dashboard issue created");
    return { action: "created", number: created.number, hash };
  }
  // A person closed it: they do not want it. Reopening it (or deleting it) brings it back.
  if (existing.state === "closed") return { action: "closed", number: existing.number, hash };
  // Two replicas that found none at once created one each: the oldest stays, the others are closed.
  for (const duplicate of existing.duplicates ?? []) {
    await deps.issues.closeDuplicate(duplicate, existing.number);
    log.info({ issue: duplicate, kept: existing.number }, "duplicate dashboard issue closed");
  }
  // The whole body (the hash comment in it), not the hash alone: an edit that kept the comment is overwritten too.
  if (sameDashboard(existing.body, body)) return { action: "unchanged", number: existing.number, hash };
  await deps.issues.updateDashboard(existing.number, body);
  log.info({ issue: existing.number }, "dashboard issue updated");
  return { action: "updated", number: existing.number, hash };
}
