import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { setImageDigest } from "../../../src/editors/index.js";
import type { Digest } from "../../../src/editors/index.js";
import { withDigest } from "../../../src/editors/image-ref.js";
import { diffLines } from "../../../src/editors/line-diff.js";

const TARGET = "ghcr.io/acme/checkout";
const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
const digestArb = hex.map((h): Digest => `sha256:${h}`);
const imageArb = fc.record({
  repo: fc.constantFrom(TARGET, "docker.io/library/nginx", "nginx", "localhost:5000/acme/checkout", "ghcr.io/acme/checkout-worker"),
  tag: fc.option(fc.constantFrom("v1.4.2", "latest", "1.10", "8.3"), { nil: undefined }),
  digest: fc.option(digestArb, { nil: undefined }),
}).map(({ repo, tag, digest }) => `${repo}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`);
const containerArb = fc.record({
  name: fc.constantFrom("app", "worker", "proxy"),
  image: imageArb,
  quote: fc.constantFrom("", "'", '"'),
  comment: fc.option(fc.constantFrom("# pinned", "# image: ghcr.io/acme/checkout:v0"), { nil: undefined }),
  imageFirst: fc.boolean(),
});
const docArb = fc.record({
  indent: fc.constantFrom(2, 4),
  eol: fc.constantFrom("\n", "\r\n"),
  bom: fc.boolean(),
  finalNewline: fc.boolean(),
  kind: fc.constantFrom("Deployment", "Pod"),
  containers: fc.array(containerArb, { minLength: 1, maxLength: 4 }),
  initContainers: fc.array(containerArb, { maxLength: 2 }),
  annotation: imageArb,
});

type Doc = typeof docArb extends fc.Arbitrary<infer T> ? T : never;

/** Render a generated workload; returns the text and the 1-based lines of target images. */
function render(doc: Doc): { text: string; targets: Map<number, string> } {
  const lines: string[] = [];
  const targets = new Map<number, string>();
  const pad = (level: number): string => " ".repeat(doc.indent * level);
  lines.push("apiVersion: apps/v1", `kind: ${doc.kind}`, "metadata:", `${pad(1)}name: generated`, `${pad(1)}annotations:`);
  lines.push(`${pad(2)}acme.dev/source: '{"image":"${doc.annotation}"}'`);
  const podLevel = doc.kind === "Pod" ? 1 : 3;
  if (doc.kind !== "Pod") lines.push("spec:", `${pad(1)}template:`, `${pad(2)}spec:`);
  else lines.push("spec:");
  const list = (key: string, containers: Doc["containers"]): void => {
    if (containers.length === 0) return;
    lines.push(`${pad(podLevel)}${key}:`);
    for (const c of containers) {
      const image = `image: ${c.quote}${c.image}${c.quote}${c.comment ? ` ${c.comment}` : ""}`;
      const first = c.imageFirst ? image : `name: ${c.name}`;
      const second = c.imageFirst ? `name: ${c.name}` : image;
      lines.push(`${pad(podLevel)}- ${first}`, `${pad(podLevel)}  ${second}`);
      if (c.image.startsWith(`${TARGET}:`) || c.image.startsWith(`${TARGET}@`) || c.image === TARGET) targets.set(lines.length - (c.imageFirst ? 1 : 0), c.image);
      lines.push(`${pad(podLevel)}  # a comment mentioning ${TARGET}:v1`);
    }
  };
  list("initContainers", doc.initContainers);
  list("containers", doc.containers);
  const body = lines.join(doc.eol) + (doc.finalNewline ? doc.eol : "");
  return { text: `${doc.bom ? "\uFEFF" : ""}${body}`, targets };
}

describe("property: digest edits", () => {
  it("change only the target scalars, and a second edit changes nothing", () => {
    fc.assert(
      fc.property(docArb, digestArb, (doc, digest) => {
        const { text, targets } = render(doc);
        const result = setImageDigest("workload.yaml", text, { image: TARGET, digest });
        const needed = [...targets.values()].some((image) => !image.endsWith(`@${digest}`));
        if (targets.size === 0) {
          expect(result.status).toBe("not-found");
          return;
        }
        expect(result.status).toBe(needed ? "changed" : "unchanged");
        const oldLines = text.split("\n");
        const newLines = result.content.split("\n");
        const diff = diffLines(text, result.content);
        expect(diff.removed).toEqual(diff.added);
        for (const line of diff.added) {
          const image = targets.get(line);
          expect(image).toBeDefined();
          // The line is the old line with exactly the image scalar replaced.
          expect(newLines[line - 1]).toBe(oldLines[line - 1]?.replace(image ?? "", withDigest(image ?? "", digest)));
        }
        expect(result.changes).toHaveLength(diff.added.length);
        const again = setImageDigest("workload.yaml", result.content, { image: TARGET, digest });
        expect(again.status).toBe("unchanged");
        expect(again.content).toBe(result.content);
      }),
      { numRuns: 300 },
    );
  });

  it("kustomize entries: one line per matching entry, idempotent", () => {
    const entryArb = fc.record({
      name: fc.constantFrom(TARGET, "ghcr.io/acme/cart", "checkout"),
      newName: fc.option(fc.constantFrom(TARGET, "ghcr.io/mirror/cart"), { nil: undefined }),
      newTag: fc.option(fc.constantFrom("v1", '"8.3"', "'1.10'"), { nil: undefined }),
      digest: fc.option(digestArb, { nil: undefined }),
      flow: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 5 }), fc.constantFrom("\n", "\r\n"), fc.boolean(), digestArb, (entries, eol, finalNewline, digest) => {
        const lines = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization", "images:"];
        let expected = 0;
        for (const e of entries) {
          const pairs = [`name: ${e.name}`, e.newName && `newName: ${e.newName}`, e.newTag && `newTag: ${e.newTag}`, e.digest && `digest: ${e.digest}`].filter((p): p is string => !!p);
          if (e.flow) lines.push(`  - {${pairs.join(", ")}}`);
          else lines.push(...pairs.map((p, i) => `${i === 0 ? "  - " : "    "}${p}`));
          const matches = e.name === TARGET || e.newName === TARGET;
          if (matches && e.digest !== digest) expected++;
        }
        const text = lines.join(eol) + (finalNewline ? eol : "");
        const result = setImageDigest("kustomization.yaml", text, { image: TARGET, digest });
        const diff = diffLines(text.replaceAll("\r\n", "\n"), result.content.replaceAll("\r\n", "\n"));
        expect(Math.max(diff.added.length, diff.removed.length)).toBe(expected);
        expect(result.changes).toHaveLength(expected);
        expect(result.content.replaceAll("\r\n", "").includes("\n")).toBe(eol === "\n" && text.includes("\n"));
        const again = setImageDigest("kustomization.yaml", result.content, { image: TARGET, digest });
        expect(again.content).toBe(result.content);
        expect(["unchanged", "not-found"]).toContain(again.status);
      }),
      { numRuns: 300 },
    );
  });
});
