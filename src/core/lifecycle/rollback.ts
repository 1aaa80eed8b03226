import { getEnvironment, getPolicy, getService, type LoadedConfig } from "../config/loaded.js";
import type { Deployment } from "../ports/deployments.js";
import { listFilesUnder, type RepoSnapshot } from "../snapshot.js";

/** What to do about a failed deployment. */
export type RollbackDecision =
  | { action: "rollback"; environment: string; service: string; digest: string; files: string[]; reason: string }
  | { action: "refuse"; environment: string; service: string; reason: string }
  | { action: "none"; reason: string };

const short = (digest: string) => `sha256:${digest.replace(/^sha256:/, "").slice(0, 12)}`;

/**
 * Plans the rollback of a failed deployment: set the previous digest back in exactly the files the
 * failed change touched. Refused (the caller reports a failing check and explains) when the service
 * runs forward-only migrations, when there is nothing to go back to, or when a rollback itself failed
 * (rolling back a rollback automatically could loop). Nothing to do when the environment already moved on.
 *
 * `running`: the digests the environment references now for the service.
 */
export function planRollback(loaded: LoadedConfig, failed: Deployment, running: readonly string[]): RollbackDecision {
  const env = getEnvironment(loaded, failed.environment);
  const service = getService(loaded, failed.service);
  if (!env || !service) return { action: "none", reason: `${failed.service} in ${failed.environment} is no longer configured` };
  const policy = getPolicy(loaded, env);
  const base = { environment: env.name, service: service.name };
  if (policy.rollback.mode === "none") return { action: "none", reason: `policy of ${env.name} says rollback: none` };
  if (!running.includes(failed.digest)) return { action: "none", reason: `${env.name} no longer runs ${short(failed.digest)} of ${service.name}` };
  if (failed.kind === "rollback") {
    return { action: "refuse", ...base, reason: `the rollback of ${service.name} in ${env.name} to ${short(failed.digest)} failed too; Stagegate does not roll back a rollback automatically — a person must decide` };
  }
  if (service.migrations === "forward-only") {
    return {
      action: "refuse",
      ...base,
      reason: `${service.name} declares \`migrations: forward-only\`: running ${failed.payload.previousDigest ? short(failed.payload.previousDigest) : "the previous build"} against a schema migrated by ${short(failed.digest)} is unsafe. Fix forward (promote a fixed artifact) or roll back by hand after checking the schema.`,
    };
  }
  const previous = failed.payload.previousDigest;
  if (!previous) return { action: "refuse", ...base, reason: `no earlier digest of ${service.name} ran in ${env.name}: there is nothing to roll back to` };
  const files = failed.payload.files ?? [];
  return { action: "rollback", ...base, digest: previous, files, reason: `verification of ${short(failed.digest)} failed in ${env.name}` };
}

/**
 * A snapshot in which the environment holds only `keep` (plus every file outside it), so planning a
 * promotion on it edits exactly those files: the rollback touches what the failed promotion touched.
 * With an empty `keep` the snapshot is returned as is.
 */
export function restrictToFiles(snapshot: RepoSnapshot, environmentPath: string, keep: readonly string[]): RepoSnapshot {
  if (keep.length === 0) return snapshot;
  const inside = new Set(listFilesUnder(snapshot, environmentPath));
  const files = new Map([...snapshot.files].filter(([path]) => !inside.has(path) || keep.includes(path)));
  return { ref: snapshot.ref, oid: snapshot.oid, files };
}
