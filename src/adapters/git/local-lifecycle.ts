import type { Clock } from "../../core/ports/clock.js";
import type { Logger } from "../../core/logger.js";
import type { HealthProbe, LifecycleDeps } from "../../services/lifecycle-deps.js";
import { openLocalRepo, type LocalAdapter } from "./local-adapter.js";

/** The lifecycle services' dependencies over a local repository: every port from the local adapter. */
export function toLifecycleDeps(adapter: LocalAdapter, options: { log?: Logger; health?: HealthProbe } = {}): LifecycleDeps {
  return {
    repo: adapter.repo,
    commits: adapter.commits,
    pulls: adapter.pulls,
    checks: adapter.checks,
    deployments: adapter.deployments,
    notes: adapter.notes,
    source: adapter.source,
    clock: adapter.clock,
    ...(options.log ? { log: options.log } : {}),
    ...(options.health ? { health: options.health } : {}),
  };
}

/** Opens a local repository for the lifecycle (CLI local mode). */
export function openLocalLifecycle(dir: string, options: { clock: Clock; log?: Logger; health?: HealthProbe }): { adapter: LocalAdapter; deps: LifecycleDeps } {
  const adapter = openLocalRepo(dir, { clock: options.clock });
  return { adapter, deps: toLifecycleDeps(adapter, options) };
}
