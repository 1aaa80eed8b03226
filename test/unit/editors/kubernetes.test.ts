import { describe, expect, it } from "vitest";
import { findImageReferences, setImageDigest } from "../../../src/editors/index.js";
import { DIGEST, IMAGE, readFixture, runCase, withVariants } from "./helpers.js";
import type { EditCase } from "./helpers.js";

const OLD = `sha256:${"2".repeat(64)}`;
const cases: EditCase[] = [
  {
    name: "containers and initContainers; JSON annotation, shell strings, args, env, comments untouched",
    fixture: "kubernetes/deployment.yaml",
    status: "changed",
    lines: [
      [13, `          image: ghcr.io/acme/checkout:v1.4.2@${DIGEST}`],
      [17, `          image: ghcr.io/acme/checkout:v1.4.2@${DIGEST} # the app`],
    ],
    previousDigests: [],
  },
  {
    name: "digest-only, tag@digest, quotes, folded scalar, ephemeral container",
    fixture: "kubernetes/digest-forms.yaml",
    status: "changed",
    lines: [
      [8, `      image: ghcr.io/acme/checkout@${DIGEST}`],
      [10, `      image: 'ghcr.io/acme/checkout:v1.4.2@${DIGEST}'`],
      [12, `      image: "ghcr.io/acme/checkout:v1.4.2@${DIGEST}"`],
      [15, `        ghcr.io/acme/checkout:v1.4.2@${DIGEST}`],
      [18, `      image: ghcr.io/acme/checkout@${DIGEST}`],
    ],
    previousDigests: [OLD],
  },
  { name: "tag given: replaces existing tags only", fixture: "kubernetes/digest-forms.yaml", request: { tag: "v1.5.0" }, status: "changed", lines: [
      [8, `      image: ghcr.io/acme/checkout@${DIGEST}`],
      [10, `      image: 'ghcr.io/acme/checkout:v1.5.0@${DIGEST}'`],
      [12, `      image: "ghcr.io/acme/checkout:v1.5.0@${DIGEST}"`],
      [15, `        ghcr.io/acme/checkout:v1.5.0@${DIGEST}`],
      [18, `      image: ghcr.io/acme/checkout@${DIGEST}`],
    ] },
  { name: "registry with port", fixture: "kubernetes/registries.yaml", request: { image: "localhost:5000/app" }, status: "changed", lines: [[10, `          image: localhost:5000/app:1@${DIGEST}`]] },
  { name: "IP registry with port", fixture: "kubernetes/registries.yaml", request: { image: "10.42.0.1:30000/team/app" }, status: "changed", lines: [[12, `          image: 10.42.0.1:30000/team/app:2.0@${DIGEST}`]] },
  {
    name: "docker.io normalisation (nginx == docker.io/library/nginx == index.docker.io)",
    fixture: "kubernetes/registries.yaml",
    request: { image: "nginx" },
    status: "changed",
    lines: [
      [14, `          image: nginx:1.25@${DIGEST}`],
      [16, `          image: docker.io/library/nginx@${DIGEST}`],
      [18, `          image: index.docker.io/library/nginx:1.25-alpine@${DIGEST}`],
    ],
  },
  {
    name: "multi-document: CronJob jobTemplate, DeploymentConfig, CRD container",
    fixture: "kubernetes/multi-doc.yaml",
    status: "changed",
    lines: [
      [21, `              image: ghcr.io/acme/checkout:v1.4.2@${DIGEST}`],
      [31, `      - image: ghcr.io/acme/checkout:v1.4.2@${DIGEST}`],
      [41, `      image: ghcr.io/acme/checkout:v1.4.2@${DIGEST}`],
    ],
  },
  { name: "image behind an alias: the anchor is edited once", fixture: "kubernetes/anchors.yaml", status: "changed", lines: [[6, `    acme.dev/image: &img ghcr.io/acme/checkout:v1.4.2@${DIGEST}`]] },
  { name: "container map behind an alias: edited at the anchor", fixture: "kubernetes/anchored-container.yaml", status: "changed", lines: [[8, `    image: ghcr.io/acme/checkout:v1.4.2@${DIGEST}`]] },
  { name: "JSON 6902 patch adding containers", fixture: "kubernetes/json6902.yaml", status: "changed", lines: [[5, `    image: ghcr.io/acme/checkout:v1.4.2@${DIGEST}`], [8, `  value: ghcr.io/acme/checkout:v1.4.2@${DIGEST}`]] },
  { name: "PromQL, shell scripts, ImageRepository, OCI URLs: not images", fixture: "kubernetes/traps.yaml", status: "not-found" },
  { name: "one templated reference skips the whole file", fixture: "kubernetes/templated.yaml", status: "skipped", reason: /templated value "ghcr.io\/acme\/checkout:\$\{TAG\}"/ },
  { name: "invalid YAML (Helm template) is skipped", fixture: "kubernetes/invalid.yaml", status: "skipped", reason: /templated file is not valid YAML/ },
];

describe("kubernetes workloads", () => {
  it.each(withVariants(cases))("%s (%s)", (_name, variant, c) => {
    runCase(c, variant);
  });

  it("expresses the edit as a JSON patch with tests, pointers prefixed by the document index", () => {
    const result = setImageDigest("bundle.yaml", readFixture("kubernetes/multi-doc.yaml"), { image: IMAGE, digest: DIGEST });
    expect(result.patch.slice(0, 2)).toEqual([
      { op: "test", path: "/1/spec/jobTemplate/spec/template/spec/containers/0/image", value: "ghcr.io/acme/checkout:v1.4.2" },
      { op: "replace", path: "/1/spec/jobTemplate/spec/template/spec/containers/0/image", value: `ghcr.io/acme/checkout:v1.4.2@${DIGEST}` },
    ]);
    expect(result.references.map((r) => [r.docIndex, r.pointer])).toEqual([
      [1, "/spec/jobTemplate/spec/template/spec/containers/0/image"],
      [2, "/spec/template/spec/containers/0/image"],
      [3, "/spec/runLatest/container/image"],
    ]);
  });

  it("patches every alias of an anchored image and says so", () => {
    const result = setImageDigest("sts.yaml", readFixture("kubernetes/anchors.yaml"), { image: IMAGE, digest: DIGEST });
    expect(result.patch.filter((op) => op.op === "replace").map((op) => op.path)).toEqual([
      "/metadata/annotations/acme.dev~1image",
      "/spec/template/spec/containers/0/image",
      "/spec/template/spec/containers/1/image",
    ]);
    expect(result.notes?.[0]).toMatch(/shared by 2 alias/);
  });

  it("finds references with position and parsed parts", () => {
    const refs = findImageReferences("pod.yaml", readFixture("kubernetes/digest-forms.yaml"));
    expect(refs[1]).toEqual({ editor: "kubernetes", docIndex: 0, pointer: "/spec/containers/1/image", line: 10, column: 14, image: IMAGE, raw: `ghcr.io/acme/checkout:v1.4.2@${OLD}`, tag: "v1.4.2", digest: OLD });
    expect(refs).toHaveLength(5);
  });

  it("refuses a digest that is not sha256 + 64 hex", () => {
    const result = setImageDigest("pod.yaml", readFixture("kubernetes/deployment.yaml"), { image: IMAGE, digest: "sha256:abc" as `sha256:${string}` });
    expect(result.status).toBe("refused");
  });

  it("edits a whole workload byte-minimally", () => {
    const result = setImageDigest("deployment.yaml", readFixture("kubernetes/deployment.yaml"), { image: IMAGE, digest: DIGEST });
    expect(result.content).toMatchInlineSnapshot(`
      "apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: checkout
        annotations:
          kubectl.kubernetes.io/last-applied-configuration: |
            {"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{"containers":[{"image":"ghcr.io/acme/checkout:v1.4.2","name":"checkout"}]}}}}
      spec:
        template:
          spec:
            initContainers:
              - name: migrate
                image: ghcr.io/acme/checkout:v1.4.2@sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd
                command: ["sh", "-c", "echo ghcr.io/acme/checkout:v1.4.2 && migrate"]
            containers:
              - name: checkout
                image: ghcr.io/acme/checkout:v1.4.2@sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd # the app
                # image: ghcr.io/acme/checkout:v0.0.1
                args:
                  - --self-image=ghcr.io/acme/checkout:v1.4.2
                env:
                  - name: IMAGE
                    value: ghcr.io/acme/checkout:v1.4.2
              - name: sidecar
                image: docker.io/envoyproxy/envoy:v1.30.1
      "
    `);
  });
});
