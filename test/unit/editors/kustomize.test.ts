import { describe, expect, it } from "vitest";
import { setImageDigest } from "../../../src/editors/index.js";
import { DIGEST, IMAGE, readFixture, runCase, withVariants } from "./helpers.js";
import type { EditCase } from "./helpers.js";

const K = "kustomization.yaml";
const cases: EditCase[] = [
  { name: "name only: digest inserted after name", fixture: "kustomize/name-only.yaml", fileName: K, status: "changed", lines: [[7, `    digest: ${DIGEST}`]] },
  { name: "newName matches: digest after newName, comment kept", fixture: "kustomize/new-name.yaml", fileName: K, status: "changed", lines: [[7, `  digest: ${DIGEST}`]] },
  { name: "name matches through newName's original", fixture: "kustomize/new-name.yaml", fileName: K, request: { image: "docker.io/library/checkout" }, status: "changed", lines: [[7, `  digest: ${DIGEST}`]] },
  { name: "newTag kept (kustomize ignores it once digest is set)", fixture: "kustomize/new-tag.yaml", fileName: K, status: "changed", lines: [[8, `    digest: ${DIGEST}`]], previousDigests: [] },
  { name: "dropTag turns newTag into digest in place", fixture: "kustomize/new-tag.yaml", fileName: K, request: { dropTag: true }, status: "changed", lines: [[7, `    digest: ${DIGEST}   # bumped by CI`]] },
  { name: "dropTag with a digest key removes the newTag line", fixture: "kustomize/existing-digest.yaml", fileName: K, request: { dropTag: true }, status: "changed", lines: [[8, `    digest: ${DIGEST}`]] },
  { name: "dropTag in a flow map", fixture: "kustomize/flow-map.yaml", fileName: K, request: { dropTag: true }, status: "changed", lines: [[3, `  - {name: ghcr.io/acme/checkout, digest: ${DIGEST}}`]] },
  { name: "tag given: newTag updated too", fixture: "kustomize/new-tag.yaml", fileName: K, request: { tag: "v1.5.0" }, status: "changed", lines: [[7, "    newTag: v1.5.0   # bumped by CI"], [8, `    digest: ${DIGEST}`]] },
  { name: "existing digest replaced", fixture: "kustomize/existing-digest.yaml", fileName: K, status: "changed", lines: [[9, `    digest: ${DIGEST}`]], previousDigests: [`sha256:${"1".repeat(64)}`] },
  { name: "flow map entry", fixture: "kustomize/flow-map.yaml", fileName: K, status: "changed", lines: [[3, `  - {name: ghcr.io/acme/checkout, newTag: v1.4.2, digest: ${DIGEST}}`]] },
  { name: "quoted newTag \"8.3\" untouched", fixture: "kustomize/quoted-tag.yaml", fileName: K, request: { image: "mysql" }, status: "changed", lines: [[7, `  digest: ${DIGEST}`]] },
  { name: "tag that needs quotes keeps them", fixture: "kustomize/quoted-tag.yaml", fileName: K, request: { image: "mysql", tag: "8.4" }, status: "changed", lines: [[6, '  newTag: "8.4"'], [7, `  digest: ${DIGEST}`]] },
  { name: "4-space indentation", fixture: "kustomize/four-spaces.yaml", fileName: K, status: "changed", lines: [[8, `        digest: ${DIGEST}`]] },
  { name: "Flux Kustomization spec.images", fixture: "kustomize/flux-kustomization.yaml", fileName: "checkout.yaml", status: "changed", lines: [[12, `      digest: ${DIGEST}`]] },
  { name: "commented-out images and inline patch strings untouched", fixture: "kustomize/traps.yaml", fileName: K, status: "changed", lines: [[18, `    digest: ${DIGEST}`]] },
  { name: "JSON kustomization stays JSON", fixture: "kustomize/kustomization.json", fileName: "kustomization.yaml", status: "changed", lines: [[6, `    {"name": "ghcr.io/acme/checkout", "newTag": "v1.4.2", "digest": "${DIGEST}"}`]] },
  { name: "other image: not found", fixture: "kustomize/new-tag.yaml", fileName: K, request: { image: "ghcr.io/acme/payments" }, status: "not-found" },
];

describe("kustomize images", () => {
  it.each(withVariants(cases))("%s (%s)", (_name, variant, c) => {
    runCase(c, variant);
  });

  it("reports the references with kustomize fields", () => {
    const result = setImageDigest(K, readFixture("kustomize/new-tag.yaml"), { image: IMAGE, digest: DIGEST });
    expect(result.references).toEqual([
      { editor: "kustomize", docIndex: 0, pointer: "/images/0/name", line: 6, column: 11, image: IMAGE, raw: "name=ghcr.io/acme/checkout newTag=v1.4.2", tag: "v1.4.2" },
    ]);
    expect(result.patch).toEqual([{ op: "add", path: "/images/0/digest", value: DIGEST }]);
    expect(result.changes).toEqual([{ line: 8, pointer: "/images/0/digest", before: "ghcr.io/acme/checkout:v1.4.2", after: `ghcr.io/acme/checkout:v1.4.2@${DIGEST}` }]);
  });

  it("edits a whole kustomization byte-minimally", () => {
    const result = setImageDigest(K, readFixture("kustomize/new-name.yaml"), { image: IMAGE, digest: DIGEST });
    expect(result.content).toMatchInlineSnapshot(`
      "# dev overlay: images come from the mirror
      resources:
      - deployment.yaml
      images:
      - name: checkout
        newName: ghcr.io/acme/checkout # mirrored
        digest: sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd
      - name: redis
        newName: ghcr.io/acme/redis
      "
    `);
  });
});
