import { describe, expect, it } from "vitest";
import { loadConfiguration } from "../../../src/core/config/index.js";
import { getTrailer, parseTrailers } from "../../../src/core/evidence/trailers.js";
import { planPromotion } from "../../../src/core/plan/index.js";
import { findImageReferences, setImageDigest, type Digest } from "../../../src/editors/index.js";

const OLD: Digest = `sha256:${"0".repeat(64)}`;
const NEW: Digest = `sha256:${"1".repeat(64)}`;
const IMAGE = "ghcr.io/acme/api";
const argo = (params: string) => `apiVersion: argoproj.io/v1alpha1\nkind: Application\nspec:\n  source:\n    helm:\n      parameters:\n${params}`;

/** Explicit fields whose own value has no digest: the previous digest comes from the field next to it. */
describe("fields editor: the previous digest of explicit fields", () => {
  it.each([
    { name: "digest field (own value)", content: `image:\n  tag: "1.0"\n  digest: ${OLD}\n`, fields: ["image.digest"], previous: [OLD] },
    { name: "tag field next to a digest field", content: `image:\n  tag: "1.0"\n  digest: ${OLD}\n`, fields: ["image.tag"], previous: [OLD] },
    { name: "tag and digest fields", content: `image:\n  tag: "1.0"\n  digest: ${OLD}\n`, fields: ["image.tag", "image.digest"], previous: [OLD] },
    { name: "digest key added next to a tag@sha256: value", content: `image:\n  tag: "1.0@${OLD}"\n`, fields: ["image.digest"], previous: [OLD] },
    { name: "version field carrying tag@sha256:", content: `app:\n  version: v1@${OLD}\n`, fields: ["/app/version"], previous: [OLD] },
    { name: "camel-case imageTag next to imageDigest", content: `app:\n  imageTag: v1\n  imageDigest: ${OLD}\n`, fields: ["app.imageTag"], previous: [OLD] },
    { name: "argo cd helm parameters image.tag next to image.digest", content: argo(`        - name: image.tag\n          value: "1.0"\n        - name: image.digest\n          value: ${OLD}\n`), fields: ["image.tag"], previous: [OLD] },
    { name: "no digest anywhere", content: `image:\n  tag: "1.0"\n`, fields: ["image.tag"], previous: [] },
    { name: "a sibling that is not a digest", content: `image:\n  tag: "1.0"\n  digest: latest\n`, fields: ["image.tag"], previous: [] },
    { name: "siblings in another map do not count", content: `image:\n  tag: "1.0"\nother:\n  digest: ${OLD}\n`, fields: ["image.tag"], previous: [] },
  ])("$name", ({ content, fields, previous }) => {
    const result = setImageDigest("values.yaml", content, { image: IMAGE, digest: NEW, tag: "1.1", fields });
    expect(result.status).toBe("changed");
    expect(result.previousDigests).toEqual(previous);
    // Discovery (the audit's deployed digests) reports the same digest as the reference's.
    const refs = findImageReferences("values.yaml", content, { image: IMAGE, fields });
    expect([...new Set(refs.map((r) => r.digest).filter(Boolean))]).toEqual(previous);
  });

  it("puts the previous digest of an explicit target into the Stagegate-Previous trailer", () => {
    const files = new Map([
      ["stagegate.yaml", `version: 1\nenvironments:\n  - { name: dev, path: envs/dev, policy: dev }\nservices:\n  - name: api\n    image: ${IMAGE}\n    targets:\n      dev:\n        - file: envs/dev/values.yaml\n          fields: [image.tag]\n`],
      ["policies/dev.yaml", "version: 1\n"],
      ["envs/dev/values.yaml", `image:\n  repository: ${IMAGE}\n  tag: "1.0"\n  digest: ${OLD}\n`],
    ]);
    const loaded = loadConfiguration(files);
    if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
    const plan = planPromotion({ ref: "main", oid: "a".repeat(40), files }, { artifact: { service: "api", image: IMAGE, digest: NEW, tag: "1.1" }, environment: "dev" }, loaded.loaded);
    expect(plan.previousDigests).toEqual([OLD]);
    expect(getTrailer(parseTrailers(plan.commitMessage), "Stagegate-Previous")).toBe(OLD);
  });
});
