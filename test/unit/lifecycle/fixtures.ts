import { loadConfiguration, type LoadedConfig } from "../../../src/core/config/index.js";
import type { Deployment } from "../../../src/core/ports/deployments.js";
import { createSnapshot, type RepoSnapshot } from "../../../src/core/snapshot.js";

export const D = (c: string) => `sha256:${c.repeat(64)}`;

const kustomization = (digest: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
images:
  - name: ghcr.io/acme/api
    newTag: "1.0"
    digest: ${digest}
`;

/**
 * A DAG with a two-upstream environment: dev → {eu, us} → global (global waits for both).
 * `api` is referenced in two files per environment (app + worker), `db` runs forward-only migrations.
 */
export function snapshotWith(digests: Record<string, string>, extra: Record<string, string> = {}): RepoSnapshot {
  const files: Record<string, string> = {
    "stagegate.yaml": `version: 1
environments:
  - { name: dev, path: envs/dev, policy: p }
  - { name: eu, path: envs/eu, from: [dev], policy: p }
  - { name: us, path: envs/us, from: [dev], policy: p, auto: none }
  - { name: global, path: envs/global, from: [eu, us], policy: p }
services:
  - { name: api, image: ghcr.io/acme/api }
  - { name: db, image: ghcr.io/acme/db, migrations: forward-only }
`,
    "policies/p.yaml": "version: 1\ngates: []\n",
    ...extra,
  };
  for (const [env, digest] of Object.entries(digests)) {
    files[`envs/${env}/app/kustomization.yaml`] = kustomization(digest);
    files[`envs/${env}/worker/kustomization.yaml`] = kustomization(digest);
    files[`envs/${env}/db/kustomization.yaml`] = kustomization(digest).replace("ghcr.io/acme/api", "ghcr.io/acme/db");
  }
  return createSnapshot(files);
}

export function loaded(snapshot: RepoSnapshot): LoadedConfig {
  const result = loadConfiguration(snapshot.files);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join("\n"));
  return result.loaded;
}

export function deployment(fields: Partial<Deployment> & Pick<Deployment, "environment" | "digest">): Deployment {
  const service = fields.service ?? "api";
  return {
    id: `${fields.environment}/${service}/x`,
    service,
    ref: "f".repeat(40),
    kind: "promotion",
    createdAt: "2026-01-01T00:00:00.000Z",
    statuses: [],
    ...fields,
    payload: { service, digest: fields.digest, kind: fields.kind ?? "promotion", ...fields.payload },
  };
}
