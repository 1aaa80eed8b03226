/**
 * The digest written by the kustomize editor must be what `kubectl kustomize` renders:
 * each images-entry shape is edited, then rendered with the real kustomize.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { setImageDigest } from "../../../src/editors/index.js";
import { DIGEST, IMAGE } from "./helpers.js";

function findKubectl(): boolean {
  try {
    execFileSync("kubectl", ["version", "--client"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    console.warn("kustomize render test skipped: kubectl is not on PATH");
    return false;
  }
}
const hasKubectl = findKubectl();

const deployment = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
spec:
  template:
    spec:
      containers:
        - name: checkout
          image: ${image}
`;

const header = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n";
const cases: Array<{ name: string; base: string; images: string }> = [
  { name: "name only", base: `${IMAGE}:v1`, images: `images:\n  - name: ${IMAGE}\n` },
  { name: "newName", base: "checkout:v1", images: `images:\n  - name: checkout\n    newName: ${IMAGE}\n` },
  { name: "newTag", base: `${IMAGE}:v1`, images: `images:\n  - name: ${IMAGE}\n    newTag: v2 # CI\n` },
  { name: "existing digest", base: `${IMAGE}:v1`, images: `images:\n  - name: ${IMAGE}\n    newTag: v2\n    digest: sha256:${"1".repeat(64)}\n` },
  { name: "flow map", base: `${IMAGE}:v1`, images: `images:\n  - {name: ${IMAGE}, newTag: v2}\n` },
];

describe("kustomize render", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it.skipIf(!hasKubectl).each(cases)("$name renders image@digest", ({ base, images }) => {
    const dir = mkdtempSync(join(tmpdir(), "stagegate-kustomize-"));
    dirs.push(dir);
    const result = setImageDigest("kustomization.yaml", `${header}${images}`, { image: IMAGE, digest: DIGEST });
    expect(result.status).toBe("changed");
    writeFileSync(join(dir, "kustomization.yaml"), result.content);
    writeFileSync(join(dir, "deployment.yaml"), deployment(base));
    const rendered = execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", timeout: 30_000 });
    expect(rendered).toMatch(new RegExp(`image: ${IMAGE.replaceAll(".", "\\.")}(?::[\\w.-]+)?@${DIGEST}\\n`));
  });
});
