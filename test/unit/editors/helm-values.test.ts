import { describe, expect, it } from "vitest";
import { findImageReferences, setImageDigest } from "../../../src/editors/index.js";
import { DIGEST, readFixture, runCase, withVariants } from "./helpers.js";
import type { EditCase } from "./helpers.js";

const HEX = DIGEST.slice("sha256:".length);
const cases: EditCase[] = [
  { name: "repository/tag without digest key: digest carried in the tag", fixture: "helm-values/repository-tag.yaml", status: "changed", lines: [[4, `  tag: v1.4.2@${DIGEST} # overridden per environment`]] },
  { name: "split block not under `image:` (redis.repository)", fixture: "helm-values/repository-tag.yaml", request: { image: "redis" }, status: "changed", lines: [[8, `  tag: 7.2.4@${DIGEST}`]] },
  { name: "bitnami registry/repository/tag/digest: \"\" keeps its quotes", fixture: "helm-values/bitnami.yaml", request: { image: "bitnami/nginx" }, status: "changed", lines: [[7, `  digest: "${DIGEST}"`]] },
  { name: "empty `digest:` (null) gets a value", fixture: "helm-values/bitnami.yaml", request: { image: "docker.io/bitnami/nginx-exporter" }, status: "changed", lines: [[14, `    digest: ${DIGEST}`]] },
  { name: "image.image + digest; digestChroot and commented keys untouched", fixture: "helm-values/image-image.yaml", request: { image: "registry.k8s.io/ingress-nginx/controller" }, status: "changed", lines: [[8, `    digest: ${DIGEST}`]], previousDigests: [`sha256:${"3".repeat(64)}`] },
  { name: "tag already carrying a digest", fixture: "helm-values/tag-digest.yaml", status: "changed", lines: [[4, `    tag: v1.4.2@${DIGEST}`]], previousDigests: [`sha256:${"5".repeat(64)}`] },
  { name: "numeric tag keeps its source text (1.10, not 1.1)", fixture: "helm-values/tag-digest.yaml", request: { image: "ghcr.io/acme/numeric" }, status: "changed", lines: [[7, `    tag: 1.10@${DIGEST}`]] },
  { name: "tag given replaces the tag part", fixture: "helm-values/tag-digest.yaml", request: { tag: "v1.5.0" }, status: "changed", lines: [[4, `    tag: v1.5.0@${DIGEST}`]] },
  { name: "kube-prometheus-stack `sha` takes bare hex", fixture: "helm-values/sha.yaml", request: { image: "quay.io/prometheus-operator/prometheus-operator" }, status: "changed", lines: [[6, `    sha: "${HEX}"`]] },
  { name: "empty tag and no digest key: skipped", fixture: "helm-values/empty-tag.yaml", status: "skipped", reason: /no digest field and the tag is empty/ },
  { name: "empty tag with a tag given: tag@digest", fixture: "helm-values/empty-tag.yaml", request: { tag: "v1.5.0" }, status: "changed", lines: [[3, `  tag: "v1.5.0@${DIGEST}"  # defaults to the chart appVersion`]] },
  { name: "explicit dotted field, key inserted", fixture: "helm-values/explicit-field.yaml", request: { fields: ["app.image.digest"] }, status: "changed", lines: [[5, `    digest: ${DIGEST}`]] },
  { name: "explicit JSON pointer to a version field; missing non-digest fields ignored", fixture: "helm-values/explicit-field.yaml", request: { fields: ["/app/image/version", "app.image.tag"] }, status: "changed", lines: [[4, `    version: v1.4.2@${DIGEST}`]] },
  { name: "inline image strings in values (initContainers, sidecars)", fixture: "helm-values/inline-and-traps.yaml", request: { image: "busybox" }, status: "changed", lines: [[3, `    image: busybox:1.36@${DIGEST}`]] },
  { name: "`version` stands in for a missing `tag`; chart version untouched", fixture: "helm-values/version-key.yaml", request: { image: "bitnami/harbor-core" }, status: "changed", lines: [[5, `    version: 2.1.3-debian-10-r38@${DIGEST}`]] },
  { name: "chart dependency repository/version is not an image", fixture: "helm-values/inline-and-traps.yaml", request: { image: "https://charts.bitnami.com/bitnami" }, status: "not-found" },
];

describe("helm values", () => {
  it.each(withVariants(cases))("%s (%s)", (_name, variant, c) => {
    runCase(c, variant);
  });

  it("an explicit field that is neither digest, tag nor reference is skipped with a reason", () => {
    const result = setImageDigest("values.yaml", readFixture("helm-values/explicit-field.yaml"), { image: "ghcr.io/acme/checkout", digest: DIGEST, fields: ["/app/replicas"] });
    expect(result).toMatchObject({ status: "skipped", reason: expect.stringMatching(/does not hold a digest, tag or image reference/) });
  });

  it("a field ending in tag gets tag@digest, comment kept", () => {
    const tagged = setImageDigest("values.yaml", "app:\n  image:\n    imageTag: v1 # pinned\n", { image: "ghcr.io/acme/checkout", digest: DIGEST, fields: ["/app/image/imageTag"] });
    expect(tagged.content).toBe(`app:\n  image:\n    imageTag: v1@${DIGEST} # pinned\n`);
  });

  it("discovers explicit fields with their current tag and digest", () => {
    const content = `app:\n  image:\n    name: checkout\n    version: v1.4.2@${DIGEST}\n`;
    expect(findImageReferences("values.yaml", content)).toEqual([]);
    expect(findImageReferences("values.yaml", content, { image: "ghcr.io/acme/checkout", fields: ["app.image.version"] })).toEqual([
      { editor: "fields", docIndex: 0, pointer: "/app/image/version", line: 4, column: 14, image: "ghcr.io/acme/checkout", raw: `app.image.version=v1.4.2@${DIGEST}`, tag: "v1.4.2", digest: DIGEST },
    ]);
  });

  it("discovers split and inline references with their raw form", () => {
    const refs = findImageReferences("values.yaml", readFixture("helm-values/bitnami.yaml"));
    expect(refs.map((r) => [r.image, r.raw, r.pointer])).toEqual([
      ["docker.io/bitnami/nginx", 'registry=docker.io repository=bitnami/nginx tag=1.29.1-debian-12-r0 digest=', "/image/repository"],
      ["docker.io/bitnami/nginx-exporter", "registry=docker.io repository=bitnami/nginx-exporter tag=1.4.2", "/metrics/image/repository"],
    ]);
  });

  it("edits a whole values file byte-minimally", () => {
    const result = setImageDigest("values.yaml", readFixture("helm-values/bitnami.yaml"), { image: "docker.io/bitnami/nginx", digest: DIGEST });
    expect(result.content).toMatchInlineSnapshot(`
      "## @param image.registry Image registry
      ## @param image.digest Image digest in the way sha256:aa.... Please note this parameter, if set, will override the tag
      image:
        registry: docker.io
        repository: bitnami/nginx
        tag: 1.29.1-debian-12-r0
        digest: "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
        ## e.g: digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
      metrics:
        image:
          registry: docker.io
          repository: bitnami/nginx-exporter
          tag: 1.4.2
          digest:
      "
    `);
  });
});
