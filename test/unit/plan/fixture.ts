import { loadConfiguration, type LoadedConfig } from "../../../src/core/config/index.js";
import { createSnapshot, type RepoSnapshot } from "../../../src/core/snapshot.js";

/** Digests used across the planner and promote tests. */
export const D = {
  old: `sha256:${"0".repeat(63)}1`,
  new: `sha256:${"abcdef123456"}${"7".repeat(52)}`,
  newer: `sha256:${"fedcba654321"}${"8".repeat(52)}`,
} as const;

const config = `version: 1
defaults:
  policy: default
environments:
  - name: staging
    path: environments/staging
  - name: prod-eu
    path: environments/prod-eu
    from: [staging]
    policy: prod
services:
  - name: checkout
    image: ghcr.io/acme/checkout
    source: acme/checkout
    tier: critical
    owners: ["@acme/checkout-team", carol]
  - name: payments
    image: ghcr.io/acme/payments
    keepTag: false
  - name: search
    image: ghcr.io/acme/search
    targets:
      prod-eu:
        - file: environments/prod-eu/search/values.yaml
          fields: [app.container.ref]
  - name: ledger
    image: ghcr.io/acme/ledger
`;

const defaultPolicy = `version: 1
labels: [automated]
`;

const prodPolicy = `version: 1
gates:
  - gate: upstream
  - gate: soak
    duration: 1h
  - gate: approvals
    count: 2
    teams: [acme/sre]
    users: [erin]
reviewers:
  teams: ["@acme/sre"]
  users: [dave]
  byTier:
    critical: ["@acme/platform-leads", frank]
labels: [production]
rollback:
  gates:
    - gate: approvals
      name: rollback-approval
      count: 1
      teams: [acme/sre]
`;

/** An environments repo with kustomize, Helm values, raw manifests, explicit targets and a templated file. */
export function fixtureFiles(digest: string = D.old): Record<string, string> {
  return {
    "stagegate.yaml": config,
    "policies/default.yaml": defaultPolicy,
    "policies/prod.yaml": prodPolicy,
    "environments/staging/checkout/kustomization.yaml": kustomization(digest),
    "environments/prod-eu/checkout/kustomization.yaml": kustomization(digest),
    // A second file of the same environment referencing the image (a migration job).
    "environments/prod-eu/checkout/migrate-job.yaml": `apiVersion: batch/v1
kind: Job
metadata:
  name: checkout-migrate
  annotations:
    note: "image ghcr.io/acme/checkout@${D.old} must not change here"
spec:
  template:
    spec:
      containers:
        - name: migrate
          image: ghcr.io/acme/checkout:v1.4.1@${digest} # pinned by Stagegate
      restartPolicy: Never
`,
    "environments/prod-eu/payments/values.yaml": `# Helm values for payments\r
image:\r
  repository: ghcr.io/acme/payments\r
  tag: "v2.0.0"\r
  digest: "${digest}"\r
replicas: 3\r
`,
    "environments/prod-eu/payments/templates/job.yaml": `{{- if .Values.migrate }}
apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      containers:
        - image: ghcr.io/acme/payments@{{ .Values.image.digest }}
{{- end }}
`,
    "environments/prod-eu/search/values.yaml": `app:
  container:
    ref: ghcr.io/acme/search:v3@${digest}
`,
    "environments/prod-eu/README.md": "ghcr.io/acme/checkout is documented here\n",
    "environments/prod-eu/broken/kustomization.yaml": "images: [\n",
  };
}

function kustomization(digest: string): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../base/checkout
images:
  - name: ghcr.io/acme/checkout
    newTag: v1.4.1
    digest: ${digest}
`;
}

export function fixtureSnapshot(files: Record<string, string> = fixtureFiles(), oid = "a".repeat(40)): RepoSnapshot {
  return createSnapshot(files, oid, "main");
}

/** Loads the fixture's configuration; fails loudly when the fixture itself is invalid. */
export function fixtureConfig(files: Record<string, string> = fixtureFiles()): LoadedConfig {
  const result = loadConfiguration(new Map(Object.entries(files)));
  if (!result.ok) throw new Error(`fixture config invalid:\n${result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join("\n")}`);
  return result.loaded;
}

/** The files of a snapshot with a plan's edits applied. */
export function applyFiles(snapshot: RepoSnapshot, files: readonly { path: string; after: string }[], oid = "b".repeat(40)): RepoSnapshot {
  const next = new Map(snapshot.files);
  for (const f of files) next.set(f.path, f.after);
  return createSnapshot(next, oid, snapshot.ref);
}
