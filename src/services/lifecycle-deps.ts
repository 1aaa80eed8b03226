import { formatDiagnostic, loadConfiguration, type LoadedConfig } from "../core/config/index.js";
import type { Policy } from "../core/config/index.js";
import type { EvidenceSeal } from "../core/evidence/seal.js";
import { isBotLogin } from "../core/gates/principals.js";
import type { ProvenanceProbe } from "../core/provenance/types.js";
import type { Notifier } from "../core/ports/notifier.js";
import type { StagegateMetrics } from "../observability/metrics.js";
import type { Probes } from "./probes.js";
import { ConfigError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { ChecksPort } from "../core/ports/checks.js";
import type { Clock } from "../core/ports/clock.js";
import type { CommitsPort } from "../core/ports/commits.js";
import type { DeploymentsPort } from "../core/ports/deployments.js";
import type { EnvironmentsRepoPort } from "../core/ports/environments-repo.js";
import type { NotesPort } from "../core/ports/notes.js";
import type { PullRequestsPort } from "../core/ports/pull-requests.js";
import type { SourcePort } from "../core/ports/source.js";
import type { RepoSnapshot } from "../core/snapshot.js";

/** A policy's `verification.health`. */
export type HealthCheck = NonNullable<NonNullable<Policy["verification"]>["health"]>;

/** The verdict of one deep readiness request (verification `health`). */
export interface HealthProbeResult {
  ok: boolean;
  /** One line: status and why it passed or failed. */
  detail: string;
}

/** Performs a verification health request (the adapter applies timeouts and network rules). */
export type HealthProbe = (url: string, check: HealthCheck) => Promise<HealthProbeResult>;

/**
 * Everything the lifecycle services need: the ports (GitHub or local git), the clock, a logger, and
 * optionally the login Stagegate acts as and a health prober.
 */
export interface LifecycleDeps {
  repo: EnvironmentsRepoPort;
  commits: CommitsPort;
  pulls: PullRequestsPort;
  checks: ChecksPort;
  deployments: DeploymentsPort;
  notes: NotesPort;
  source: SourcePort;
  clock: Clock;
  log?: Logger;
  /** Login Stagegate acts as: merges, verdict statuses (default `stagegate`). */
  bot?: string;
  /** Runs verification health checks; without it, policies with `verification.health` wait until their timeout. */
  health?: HealthProbe;
  /** Lists and verifies build attestations for provenance gates (adapters/sigstore); without it those gates fail closed. */
  provenance?: ProvenanceProbe;
  /** Lifecycle notifications (adapters/notify); without it none are sent. Never awaited. */
  notifier?: Notifier;
  /** Prometheus and http requests of metrics/http gates and verification.metrics (services/probes.ts); default: the real adapters. */
  probes?: Probes;
  /** The app's Prometheus metrics (observability/metrics.ts); default noopMetrics. */
  metrics?: StagegateMetrics;
  /**
   * Seals the evidence blocks of the PRs Stagegate opens, and is required of the blocks it reads: a
   * block without a matching seal does not choose the gates nor vouch for who asked (core/evidence/seal.ts).
   * The App always has one; local mode only with STAGEGATE_EVIDENCE_KEY.
   */
  seal?: EvidenceSeal;
}

/** The creator name of Stagegate's own deployment statuses: the verified/failed verdicts. */
export const VERIFIER = "stagegate";

export function botOf(deps: LifecycleDeps): string {
  return deps.bot ?? VERIFIER;
}

/** Whether `login` is Stagegate's own. */
export function isStagegateLogin(deps: LifecycleDeps, login: string | undefined): boolean {
  return isBotLogin(login, botOf(deps));
}

/** Adapters may hand out the same snapshot object for the same commit; validating it once is enough. */
const loadedBySnapshot = new WeakMap<RepoSnapshot, LoadedConfig>();

/** Validated configuration of a snapshot; ConfigError (with file:line:col lines) when invalid. */
export function loadSnapshotConfig(snapshot: RepoSnapshot): LoadedConfig {
  const cached = loadedBySnapshot.get(snapshot);
  if (cached) return cached;
  const result = loadConfiguration(snapshot.files);
  if (result.ok) loadedBySnapshot.set(snapshot, result.loaded);
  if (result.ok) return result.loaded;
  throw new ConfigError(result.diagnostics.map(formatDiagnostic), { oid: snapshot.oid });
}
