import { describe, expect, it } from "vitest";
import { isDigest, isSameImage, parseImageRef, setImageDigest } from "../../../src/editors/index.js";
import { isImageRef, withDigest } from "../../../src/editors/image-ref.js";
import { verifyEdit } from "../../../src/editors/verify.js";
import { parseDocuments } from "../../../src/editors/yaml-file.js";
import { isPlainSafe } from "../../../src/editors/yaml-render.js";
import { DIGEST } from "./helpers.js";

const D = `sha256:${"a".repeat(64)}`;

describe("image references", () => {
  it.each([
    ["nginx", { registry: "docker.io", repository: "library/nginx", image: "docker.io/library/nginx" }],
    ["nginx:1.25", { registry: "docker.io", repository: "library/nginx", image: "docker.io/library/nginx", tag: "1.25" }],
    ["docker.io/bitnami/nginx:1", { registry: "docker.io", repository: "bitnami/nginx", image: "docker.io/bitnami/nginx", tag: "1" }],
    ["index.docker.io/nginx", { registry: "docker.io", repository: "library/nginx", image: "docker.io/library/nginx" }],
    ["localhost:5000/app:1", { registry: "localhost:5000", repository: "app", image: "localhost:5000/app", tag: "1" }],
    ["localhost/app", { registry: "localhost", repository: "app", image: "localhost/app" }],
    ["10.42.0.1:30000/team/app:2.0", { registry: "10.42.0.1:30000", repository: "team/app", image: "10.42.0.1:30000/team/app", tag: "2.0" }],
    [`ghcr.io/acme/checkout@${D}`, { registry: "ghcr.io", repository: "acme/checkout", image: "ghcr.io/acme/checkout", digest: D }],
    [`ghcr.io/acme/checkout:v1@${D}`, { registry: "ghcr.io", repository: "acme/checkout", image: "ghcr.io/acme/checkout", tag: "v1", digest: D }],
    ["svc:5000/openshift/httpd:latest", { registry: "svc:5000", repository: "openshift/httpd", image: "svc:5000/openshift/httpd", tag: "latest" }],
  ])("parses %s", (raw, expected) => {
    expect(parseImageRef(raw)).toEqual(expected);
  });

  it.each([
    ["nginx", "docker.io/library/nginx", true],
    ["nginx:1", `nginx@${D}`, true],
    ["ghcr.io/acme/checkout", "ghcr.io/acme/checkout-worker", false],
    ["acme/checkout", "ghcr.io/acme/checkout", false],
    ["", "", false],
  ])("isSameImage(%s, %s) = %s", (a, b, same) => {
    expect(isSameImage(a, b)).toBe(same);
  });

  it.each([
    [D, true],
    [`sha256:${"A".repeat(64)}`, false],
    ["sha256:25a0d4", false],
    [`sha512:${"a".repeat(64)}`, false],
  ])("isDigest(%s) = %s", (value, expected) => {
    expect(isDigest(value)).toBe(expected);
  });

  it.each([
    ["repo:tag", undefined, `repo:tag@${D}`],
    ["repo", undefined, `repo@${D}`],
    [`repo:tag@sha256:${"0".repeat(64)}`, undefined, `repo:tag@${D}`],
    ["localhost:5000/app", undefined, `localhost:5000/app@${D}`],
    ["localhost:5000/app:1", "2", `localhost:5000/app:2@${D}`],
    ["repo", "2", `repo@${D}`],
  ])("withDigest(%s, tag %s)", (raw, tag, expected) => {
    expect(withDigest(raw, D, tag)).toBe(expected);
  });

  it.each([
    ["https://charts.bitnami.com/bitnami", false],
    ["oci://ghcr.io/acme/charts", false],
    ["CONTAINER_IMAGES_REGISTRY/adservice", false],
    ["ghcr.io/acme/checkout:v1", true],
  ])("isImageRef(%s) = %s", (value, expected) => {
    expect(isImageRef(value)).toBe(expected);
  });

  it.each([
    ["v1.4.2", true],
    ["8.3", false],
    ["1_000", false],
    ["12:30", false],
    ["yes", false],
    ["null", false],
    [D, true],
  ])("isPlainSafe(%s) = %s (YAML 1.1 and 1.2 readers)", (value, expected) => {
    expect(isPlainSafe(value)).toBe(expected);
  });
});

describe("proof of an edit", () => {
  it("refuses a scalar that spans lines instead of collapsing it", () => {
    const content = 'kind: Pod\nspec:\n  containers:\n    - name: a\n      image: "ghcr.io/acme/checkout:v1\n        "\n';
    const result = setImageDigest("pod.yaml", content, { image: "ghcr.io/acme/checkout", digest: DIGEST });
    expect(result).toMatchObject({ status: "refused", content, reason: expect.stringMatching(/spans several lines/) });
  });

  it("rejects a patch that does not describe the new text", () => {
    const old = "a: 1\nb: x\n";
    const docs = parseDocuments(old);
    const edits = [{ start: 8, end: 9, text: "y" }];
    expect(verifyEdit(old, docs, "a: 1\nb: y\n", [{ op: "replace", path: "/b", value: "z" }], edits)).toMatch(/differs from the patched document/);
    expect(verifyEdit(old, docs, "a: 1\nb: y\n", [{ op: "test", path: "/b", value: "q" }], edits)).toMatch(/does not apply/);
    expect(verifyEdit(old, docs, "a: 2\nb: y\n", [{ op: "replace", path: "/b", value: "y" }], edits)).toMatch(/outside the edited ranges/);
    expect(verifyEdit(old, docs, "a: 1\nb: y\n", [{ op: "replace", path: "/b", value: "y" }], edits)).toBeUndefined();
  });
});
