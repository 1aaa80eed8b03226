import { findImageReferences, isSameImage } from "../../editors/index.js";
import type { DigestChange } from "../audit/types.js";
import type { Environment, Service } from "../config/config-schema.js";
import type { LoadedConfig } from "../config/loaded.js";
import { listFilesUnder, type RepoSnapshot } from "../snapshot.js";

/** What one environment runs of one service, read from its files. */
export interface DeployedService {
  environment: string;
  service: string;
  image: string;
  /** Distinct digests referenced, sorted (one unless a promotion was only partly applied). */
  digests: string[];
  /** Files that reference the image, sorted. */
  files: string[];
}

/** Manifest files the planner edits; the same filter decides what counts as running. */
const MANIFEST = /\.(ya?ml|json)$/i;

function keyOf(environment: string, service: string): string {
  return `${environment}\u0000${service}`;
}

function filesOf(snapshot: RepoSnapshot, env: Environment, service: Service): string[] {
  const targets = service.targets[env.name];
  if (targets && targets.length > 0) return targets.map((t) => t.file).filter((f) => snapshot.files.has(f));
  return listFilesUnder(snapshot, env.path).filter((p) => MANIFEST.test(p));
}

/**
 * Every (environment, service) the snapshot pins to a digest, from the files' image references (the
 * editors are the single authority on what a reference is). Files an editor cannot parse count as no reference.
 */
export function readDeployedDigests(snapshot: RepoSnapshot, loaded: LoadedConfig): Map<string, DeployedService> {
  const out = new Map<string, DeployedService>();
  for (const env of loaded.config.environments) {
    for (const service of loaded.config.services) {
      const digests = new Set<string>();
      const files: string[] = [];
      for (const path of filesOf(snapshot, env, service)) {
        let refs;
        try {
          refs = findImageReferences(path, snapshot.files.get(path) ?? "").filter((r) => isSameImage(r.image, service.image));
        } catch {
          continue;
        }
        if (refs.length === 0) continue;
        files.push(path);
        for (const ref of refs) if (ref.digest) digests.add(ref.digest);
      }
      if (digests.size > 0) out.set(keyOf(env.name, service.name), { environment: env.name, service: service.name, image: service.image, digests: [...digests].sort(), files: files.sort() });
    }
  }
  return out;
}

/** The running digest of (environment, service) in a map from {@link readDeployedDigests}. */
export function getDeployed(map: ReadonlyMap<string, DeployedService>, environment: string, service: string): DeployedService | undefined {
  return map.get(keyOf(environment, service));
}

/**
 * What a push changed: one entry per (environment, service) whose digests differ between the two
 * snapshots, ordered by environment then service. When several digests are referenced after, the one
 * new to the environment is reported (a half-applied promotion still names what arrived).
 */
export function diffDeployedDigests(before: ReadonlyMap<string, DeployedService>, after: ReadonlyMap<string, DeployedService>): DigestChange[] {
  const out: DigestChange[] = [];
  for (const key of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(key);
    const a = after.get(key);
    const was = b?.digests ?? [];
    const now = a?.digests ?? [];
    if (was.length === now.length && was.every((d, i) => d === now[i])) continue;
    const subject = (a ?? b)!;
    const change: DigestChange = { environment: subject.environment, service: subject.service, image: subject.image };
    const arrived = now.find((d) => !was.includes(d)) ?? now[0];
    const left = was.find((d) => !now.includes(d)) ?? was[0];
    if (arrived !== undefined) change.digest = arrived;
    if (left !== undefined) change.previous = left;
    out.push(change);
  }
  return out;
}
