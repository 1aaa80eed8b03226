import { resolve } from "node:path";
import { StagegateError, TerminalError } from "../../core/errors.js";
import { evidenceSealFromEnv, type EvidenceSeal } from "../../core/evidence/seal.js";
import type { Clock } from "../../core/ports/clock.js";
import { fetchHealth } from "../../services/health-probe.js";
import { GitCli } from "./git-cli.js";
import type { Logger } from "../../core/logger.js";
import type { HealthProbe, LifecycleDeps } from "../../services/lifecycle-deps.js";
import { openLocalRepo, type LocalAdapter } from "./local-adapter.js";

/** The lifecycle services' dependencies over a local repository: every port from the local adapter. */
export function toLifecycleDeps(adapter: LocalAdapter, options: { log?: Logger; health?: HealthProbe; seal?: EvidenceSeal } = {}): LifecycleDeps {
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
    ...(options.seal ? { seal: options.seal } : {}),
  };
}

/** Opens a local repository for the lifecycle (CLI local mode). */
export function openLocalLifecycle(dir: string, options: { clock: Clock; log?: Logger; health?: HealthProbe; seal?: EvidenceSeal }): { adapter: LocalAdapter; deps: LifecycleDeps } {
  const adapter = openLocalRepo(dir, { clock: options.clock });
  return { adapter, deps: toLifecycleDeps(adapter, options) };
}

/**
 * The clock of a local-mode command: `--now ISO` or STAGEGATE_NOW (a simulated time, for scripts and
 * demos: soak times and change windows are evaluated at that instant), else the system clock.
 */
export function resolveClock(now: string | undefined, envNow: string | undefined): Clock {
  const value = now ?? envNow;
  if (value === undefined || value === "") return { now: () => new Date() };
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new TerminalError(`--now/STAGEGATE_NOW: "${value}" is not an ISO 8601 date-time`);
  return { now: () => new Date(t) };
}

/**
 * Local mode seals evidence blocks only with STAGEGATE_EVIDENCE_KEY (there is no App key to derive one
 * from): with it, the PRs it opens are sealed and only sealed ones choose their gates, as in the App.
 */
export function localSeal(env: Readonly<Record<string, string | undefined>>): EvidenceSeal | undefined {
  try {
    return evidenceSealFromEnv(env);
  } catch (error) {
    throw new TerminalError((error as Error).message);
  }
}

/** Options every local-mode command takes. */
export interface LocalCommandOptions {
  repo: string;
  now?: string;
}

/**
 * Runs a local-mode command: opens the repository with the command's clock and the health prober,
 * prints what `action` returns, and turns Stagegate's errors into one line on stderr and exit code 1.
 */
export async function runLocalCommand(options: LocalCommandOptions, action: (ctx: { adapter: LocalAdapter; deps: LifecycleDeps }) => Promise<string[]>): Promise<number> {
  try {
    const dir = resolve(options.repo);
    const git = new GitCli(dir);
    const root = (await git.run(["rev-parse", "--show-toplevel"]).catch(() => "")).trim();
    if (!root) {
      const bare = (await git.run(["rev-parse", "--is-bare-repository"]).catch(() => "")).trim() === "true";
      throw new TerminalError(bare ? `--repo ${options.repo}: a bare repository; local mode needs a working tree (git clone ${options.repo})` : `--repo ${options.repo}: not a git repository`);
    }
    const clock = resolveClock(options.now, process.env["STAGEGATE_NOW"]);
    const seal = localSeal(process.env);
    const lines = await action(openLocalLifecycle(root, { clock, health: fetchHealth, ...(seal ? { seal } : {}) }));
    for (const line of lines) process.stdout.write(`${line}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof StagegateError ? error.message : `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    process.stderr.write(`stagegate: ${message}\n`);
    return 1;
  }
}
