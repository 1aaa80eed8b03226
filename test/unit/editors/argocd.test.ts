import { describe, expect, it } from "vitest";
import { setImageDigest } from "../../../src/editors/index.js";
import { DIGEST, IMAGE, readFixture, runCase, withVariants } from "./helpers.js";
import type { EditCase } from "./helpers.js";

const cases: EditCase[] = [
  {
    name: "kustomize.images (ref and alias=ref), helm.parameters, valuesObject; helm.values string and updater annotation untouched",
    fixture: "argocd/application.yaml",
    status: "changed",
    lines: [
      [14, `          - ghcr.io/acme/checkout:v1.4.2@${DIGEST}`],
      [15, `          - checkout=ghcr.io/acme/checkout:v1.4.2@${DIGEST}`],
      [24, `            value: 'v1.4.2@${DIGEST}'`],
      [33, `              tag: v1.4.2@${DIGEST}`],
    ],
  },
  { name: "ApplicationSet template source", fixture: "argocd/applicationset.yaml", status: "changed", lines: [[19, `            - ghcr.io/acme/checkout=ghcr.io/acme/checkout:v1.4.2@${DIGEST}`]] },
  {
    name: ".argocd-source write-back file: digest replaced, lone tag parameter not guessed",
    fixture: "argocd/argocd-source.yaml",
    fileName: ".argocd-source-checkout.yaml",
    status: "changed",
    lines: [[3, `  - ghcr.io/acme/checkout:v1.4.2@${DIGEST}`]],
    previousDigests: [`sha256:${"6".repeat(64)}`],
  },
  {
    name: "helm parameter named explicitly in fields",
    fixture: "argocd/argocd-source.yaml",
    fileName: ".argocd-source.yaml",
    request: { fields: ["image.tag"] },
    status: "changed",
    lines: [[7, `    value: v1.4.2@${DIGEST}`]],
  },
  {
    name: "helm parameters registry + repository + digest (flow maps)",
    fixture: "argocd/parameters-digest.yaml",
    status: "changed",
    lines: [[15, `        - {name: image.digest, value: "${DIGEST}"}`]],
  },
];

describe("argo cd applications", () => {
  it.each(withVariants(cases))("%s (%s)", (_name, variant, c) => {
    runCase(c, variant);
  });

  it("one result merges the edits of several formats in the file", () => {
    const result = setImageDigest("app.yaml", readFixture("argocd/application.yaml"), { image: IMAGE, digest: DIGEST });
    expect(result.editor).toBe("argocd");
    expect(result.patch.filter((op) => op.op === "replace").map((op) => op.path)).toEqual([
      "/spec/sources/0/kustomize/images/0",
      "/spec/sources/0/kustomize/images/1",
      "/spec/sources/1/helm/parameters/1/value",
      "/spec/sources/1/helm/valuesObject/worker/image/tag",
    ]);
  });
});
