/**
 * A small environments repository for integration tests (written for these tests): dev → staging → prod,
 * one kustomize service and one Helm service, policies with labels, reviewers and promoters.
 */
export const DIGEST_A = `sha256:${"a".repeat(64)}`;
export const DIGEST_B = `sha256:${"b".repeat(64)}`;
export const DIGEST_C = `sha256:${"c".repeat(64)}`;
export const DIGEST_OLD = `sha256:${"0".repeat(64)}`;
export const SOURCE_SHA = "1".repeat(40);

const kustomization = (env: string, digest: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-${env}
images:
  - name: ghcr.io/acme/checkout
    newTag: "1.0.0"
    digest: ${digest}
`;

const values = (digest: string) => `# payments chart values
image:
  repository: ghcr.io/acme/payments
  tag: "2.0.0"
  digest: ${digest}
replicas: 2
`;

/** Files of the fixture environments repo (`acme/environments`). */
export function environmentsRepoFiles(options: { gates?: number; extraCheckoutFiles?: number } = {}): Record<string, string> {
  const gates = Array.from({ length: options.gates ?? 0 }, (_, i) => `  - gate: http\n    name: probe-${i}\n    url: https://probe.example.com/${i}\n`).join("");
  const files: Record<string, string> = {
    "stagegate.yaml": `version: 1
environments:
  - name: dev
    path: environments/dev
    policy: dev
  - name: staging
    path: environments/staging
    from: [dev]
    policy: staging
services:
  - name: checkout
    image: ghcr.io/acme/checkout
    source: acme/checkout
    owners: [acme/checkout-team]
  - name: payments
    image: ghcr.io/acme/payments
    source: acme/payments
`,
    "policies/dev.yaml": `version: 1
gates:
${gates || "  []\n"}labels: [promotion, "env:dev"]
promoters: [alice, acme/release-managers]
reviewers:
  users: [carol]
`,
    "policies/staging.yaml": `version: 1
labels: [promotion]
promoters: [acme/release-managers]
`,
    "environments/dev/checkout/kustomization.yaml": kustomization("dev", DIGEST_OLD),
    "environments/dev/payments/values.yaml": values(DIGEST_OLD),
    "environments/staging/checkout/kustomization.yaml": kustomization("staging", DIGEST_OLD),
    "environments/staging/payments/values.yaml": values(DIGEST_OLD),
    "README.md": "# environments\n",
    "docs/deep/a/b/c/d/e/f/notes.md": "deeper than the snapshot query expands, outside every environment\n",
  };
  for (let i = 1; i < (options.extraCheckoutFiles ?? 0) + 1; i++) {
    files[`environments/dev/checkout/region-${i}/kustomization.yaml`] = kustomization(`dev-${i}`, DIGEST_OLD);
  }
  if (!options.gates) files["policies/dev.yaml"] = files["policies/dev.yaml"]!.replace("gates:\n  []\n", "gates: []\n");
  return files;
}
