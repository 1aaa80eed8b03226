import { describe, expect, it } from "vitest";
import { setImageDigest } from "../../../src/editors/index.js";
import { DIGEST, readFixture, runCase, withVariants } from "./helpers.js";
import type { EditCase } from "./helpers.js";

const cases: EditCase[] = [
  { name: "whole-reference marker; commented-out marked line untouched", fixture: "flux/deployment-marker.yaml", status: "changed", lines: [[10, `          image: ghcr.io/acme/checkout:v1.4.2@${DIGEST} # {"$imagepolicy": "flux-system:checkout"}`]] },
  { name: "whole-reference marker selected by policy", fixture: "flux/deployment-marker.yaml", request: { image: "ghcr.io/other/name", imagePolicies: ["flux-system:checkout"] }, status: "changed", lines: [[10, `          image: ghcr.io/acme/checkout:v1.4.2@${DIGEST} # {"$imagepolicy": "flux-system:checkout"}`]] },
  { name: ":name/:tag markers on kustomize: digest inserted by the kustomize rules", fixture: "flux/kustomization-markers.yaml", fileName: "kustomization.yaml", status: "changed", lines: [[9, `    digest: ${DIGEST}`]] },
  { name: ":tag marker selects the kustomize entry by policy", fixture: "flux/kustomization-markers.yaml", fileName: "kustomization.yaml", request: { image: "ghcr.io/renamed/checkout", imagePolicies: ["dev:checkout"] }, status: "changed", lines: [[9, `    digest: ${DIGEST}`]] },
  { name: ":digest marker in HelmRelease values; other policy's digest untouched", fixture: "flux/helmrelease-markers.yaml", status: "changed", lines: [[14, `      digest: ${DIGEST} # {"$imagepolicy": "flux-system:checkout:digest"}`]] },
  { name: ":digest marker whose image is only known by policy", fixture: "flux/helmrelease-markers.yaml", request: { image: "ghcr.io/acme/builder", imagePolicies: ["flux-system:builder"] }, status: "changed", lines: [[16, `      build: ${DIGEST} # {"$imagepolicy": "flux-system:builder:digest"}`]] },
  { name: "unknown policy: not found", fixture: "flux/helmrelease-markers.yaml", request: { image: "ghcr.io/acme/builder" }, status: "not-found" },
];

describe("flux setter markers", () => {
  it.each(withVariants(cases))("%s (%s)", (_name, variant, c) => {
    runCase(c, variant);
  });

  it("keeps the marker comment byte for byte", () => {
    const result = setImageDigest("deploy.yaml", readFixture("flux/deployment-marker.yaml"), { image: "ghcr.io/acme/checkout", digest: DIGEST });
    expect(result.content).toMatchInlineSnapshot(`
      "apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: checkout
      spec:
        template:
          spec:
            containers:
              - name: checkout
                image: ghcr.io/acme/checkout:v1.4.2@sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd # {"$imagepolicy": "flux-system:checkout"}
                # image: ghcr.io/acme/checkout:v0.1.0 # {"$imagepolicy": "flux-system:checkout"}
      "
    `);
  });
});
