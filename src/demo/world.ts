import { createHash } from "node:crypto";
import type { Artifact } from "../core/artifact.js";
import { parseTrailers, type Trailer } from "../core/evidence/trailers.js";
import type { Clock } from "../core/ports/clock.js";
import type { CheckReport } from "../core/ports/checks.js";
import type { Deployment } from "../core/ports/deployments.js";
import { initLocalRepo, type LocalAdapter } from "../adapters/git/local-adapter.js";
import type { StoredPullRequest } from "../adapters/git/local-pulls.js";
import { toLifecycleDeps } from "../adapters/git/local-lifecycle.js";
import { fetchHealth } from "../services/health-probe.js";
import type { LifecycleDeps } from "../services/lifecycle-deps.js";
import { promote, type PromoteOutcome } from "../services/promote.js";
import { reportDeploymentStatus } from "../services/deploy-status.js";
import { tick, type TickReport } from "../services/tick.js";

/** A clock the demo moves by hand, so soak times and change windows pass in milliseconds. */
export class SimulatedClock implements Clock {
  #t: number;
  constructor(start: string) {
    this.#t = Date.parse(start);
  }
  now(): Date {
    return new Date(this.#t);
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

/** A step's outcome did not match the narration. */
export class DemoAssertionError extends Error {
  override name = "DemoAssertionError";
}

export function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new DemoAssertionError(message);
}

/** A made-up but well-formed digest / commit sha derived from a label. */
export function fakeDigest(label: string): string {
  return `sha256:${createHash("sha256").update(label).digest("hex")}`;
}
export function fakeSha(label: string): string {
  return createHash("sha1").update(label).digest("hex");
}

/** The demo's repository, its ports, and the questions each step asks of the repo state. */
export class DemoWorld {
  readonly deps: LifecycleDeps;
  constructor(
    readonly adapter: LocalAdapter,
    readonly clock: SimulatedClock,
  ) {
    this.deps = toLifecycleDeps(adapter, { health: fetchHealth });
  }

  static async create(dir: string, files: ReadonlyMap<string, string>, clock: SimulatedClock): Promise<DemoWorld> {
    const adapter = await initLocalRepo(dir, files, { clock, author: "platform-team", message: "Environments repository from environments-template" });
    return new DemoWorld(adapter, clock);
  }

  promote(artifact: Artifact, environment: string, requestedBy: string): Promise<PromoteOutcome> {
    return promote({ repo: this.deps.repo }, { artifact, environment, requestedBy });
  }

  tick(): Promise<TickReport> {
    return tick(this.deps);
  }

  /** What Argo CD notifications report, under a name the template's `verification.statuses: ["deploy/*"]` matches. */
  deployStatus(environment: string, service: string, state: "success" | "failure", by = "argocd"): Promise<Deployment> {
    return reportDeploymentStatus(this.deps, { environment, service, state, by, context: `deploy/${environment}/${service}`, description: `Argo CD: sync ${state === "success" ? "healthy" : "degraded"}` });
  }

  pr(number: number): Promise<StoredPullRequest> {
    return this.adapter.pulls.getPullRequest(number);
  }

  async openPrs(): Promise<StoredPullRequest[]> {
    return this.adapter.pulls.listOpen();
  }

  async checks(number: number): Promise<Map<string, CheckReport>> {
    const pr = await this.pr(number);
    return new Map((await this.adapter.checks.listChecks(pr.headSha)).map((c) => [c.name, c]));
  }

  async head(): Promise<{ sha: string; subject: string; trailers: Trailer[] }> {
    const sha = await this.adapter.commits.getDefaultHead();
    const commit = await this.adapter.commits.getCommit(sha);
    return { sha, subject: commit.message.split("\n")[0] ?? "", trailers: parseTrailers(commit.message) };
  }

  async fileAtHead(path: string): Promise<string> {
    return (await this.adapter.commits.readSnapshot()).files.get(path) ?? "";
  }

  async latestDeployment(environment: string, service: string): Promise<Deployment | undefined> {
    return (await this.adapter.deployments.listDeployments({ environment, service }))[0];
  }

  async note(sha: string): Promise<string> {
    return (await this.adapter.notes.readNote(sha)) ?? "";
  }
}

/** Values of a trailer key (case-insensitive). */
export function trailerValues(trailers: readonly Trailer[], key: string): string[] {
  return trailers.filter((t) => t.key.toLowerCase() === key.toLowerCase()).map((t) => t.value);
}

export const short = (digest: string) => digest.replace(/^sha256:/, "").slice(0, 12);
