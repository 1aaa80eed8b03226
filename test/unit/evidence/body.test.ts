import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePromotionBody, renderEvidenceBlock, renderPromotionBody, type Evidence } from "../../../src/core/evidence/index.js";
import { evidenceArbitrary } from "./arbitraries.js";

const NEW = "sha256:" + "ab".repeat(32);
const OLD = "sha256:" + "cd".repeat(32);

const evidence: Evidence = {
  version: 1,
  kind: "promotion",
  service: "checkout",
  environment: "prod-eu",
  policy: "prod",
  from: "staging",
  requestedBy: "alice",
  artifact: {
    service: "checkout",
    image: "ghcr.io/acme/checkout",
    digest: NEW,
    tag: "v1.4.2",
    source: { repo: "acme/checkout", sha: "1".repeat(40) },
    buildUrl: "https://github.com/acme/checkout/actions/runs/42",
  },
  previous: [{ digest: OLD, tag: "v1.4.1", source: { repo: "acme/checkout", sha: "2".repeat(40) } }],
  files: [
    { path: "environments/prod-eu/kustomization.yaml", editor: "kustomize", lines: 2 },
    { path: "environments/prod-eu/values.yaml", editor: "helm", lines: 1 },
  ],
  gates: [
    { name: "upstream", gate: "upstream", check: "stagegate/upstream" },
    { name: "approvals", gate: "approvals", check: "stagegate/approvals", description: "two SREs" },
  ],
  approvals: [{ gate: "approvals", count: 2, teams: ["acme/sre"], users: ["@bob"] }],
  reviewers: { users: ["bob"], teams: ["sre"] },
};

describe("renderPromotionBody", () => {
  it("renders the human part and one evidence block", () => {
    expect(renderPromotionBody(evidence)).toMatchInlineSnapshot(`
      "## Promotion of \`checkout\` to \`prod-eu\`

      | | |
      |---|---|
      | **Artifact** | \`ghcr.io/acme/checkout@sha256:abababababababababababababababababababababababababababababababab\` |
      | **Tag** | \`v1.4.2\` |
      | **Source** | [acme/checkout@1111111](https://github.com/acme/checkout/commit/1111111111111111111111111111111111111111) |
      | **Changes** | [2222222...1111111](https://github.com/acme/checkout/compare/2222222222222222222222222222222222222222...1111111111111111111111111111111111111111) |
      | **Previous** | \`sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd (v1.4.1)\` |
      | **From** | \`staging\` |
      | **Requested by** | \`alice\` |
      | **Policy** | \`policies/prod.yaml\` |
      | **Build** | [build](https://github.com/acme/checkout/actions/runs/42) |

      ### Files changed (2)

      - \`environments/prod-eu/kustomization.yaml\` (kustomize, 2 lines)
      - \`environments/prod-eu/values.yaml\` (helm, 1 line)

      ### Gates

      | Check | Condition |
      |---|---|
      | \`stagegate/upstream\` | the digest is deployed and verified healthy in every upstream environment |
      | \`stagegate/approvals\` | two SREs |
      | \`stagegate\` | every gate above passes |

      ### Approvals required

      - 2 approvals from \`acme/sre\`, \`bob\` (gate \`approvals\`)

      Review requested from \`sre\`, \`bob\`.

      <sub>Written by Stagegate. The hidden evidence block below is machine-readable: edit around it, not inside it.</sub>

      <!-- stagegate:evidence v1 sha256:b6c1f082b7f956765387ff0faf196ca7d482cafc003e10a39cc835b2d61750e2
      {"version":1,"kind":"promotion","service":"checkout","environment":"prod-eu","policy":"prod","from":"staging","requestedBy":"alice","artifact":{"service":"checkout","image":"ghcr.io/acme/checkout","digest":"sha256:abababababababababababababababababababababababababababababababab","tag":"v1.4.2","source":{"repo":"acme/checkout","sha":"1111111111111111111111111111111111111111"},"buildUrl":"https://github.com/acme/checkout/actions/runs/42"},"previous":[{"digest":"sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd","tag":"v1.4.1","source":{"repo":"acme/checkout","sha":"2222222222222222222222222222222222222222"}}],"files":[{"path":"environments/prod-eu/kustomization.yaml","editor":"kustomize","lines":2},{"path":"environments/prod-eu/values.yaml","editor":"helm","lines":1}],"gates":[{"name":"upstream","gate":"upstream","check":"stagegate/upstream"},{"name":"approvals","gate":"approvals","check":"stagegate/approvals","description":"two SREs"}],"approvals":[{"gate":"approvals","count":2,"teams":["acme/sre"],"users":["@bob"]}],"reviewers":{"users":["bob"],"teams":["sre"]}}
      -->
      "
    `);
  });

  it("uses the server URL for links (GHES)", () => {
    expect(renderPromotionBody(evidence, { serverUrl: "https://ghe.example.com" })).toContain("https://ghe.example.com/acme/checkout/compare/");
  });

  it("never lets a value close the HTML comment or mention someone", () => {
    const hostile: Evidence = { ...evidence, reason: "x --> <script>alert(1)</script> @acme/everyone", requestedBy: "--><b>" };
    const body = renderPromotionBody(hostile);
    const block = body.slice(body.indexOf("<!-- stagegate:evidence"));
    expect(block.indexOf("-->")).toBe(block.length - 4);
    expect(body.slice(0, body.indexOf("<!-- stagegate:evidence"))).not.toContain("@acme/everyone");
    expect(parsePromotionBody(body)).toEqual({ ok: true, evidence: hostile, json: expect.any(String) });
  });
});

describe("parsePromotionBody", () => {
  it("round-trips any valid evidence (property)", () => {
    fc.assert(
      fc.property(evidenceArbitrary, (e) => {
        expect(parsePromotionBody(renderPromotionBody(e))).toEqual({ ok: true, evidence: e, json: expect.any(String) });
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary input (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const result = parsePromotionBody(s);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
    const block = renderEvidenceBlock(evidence);
    fc.assert(
      fc.property(fc.nat(block.length - 1), fc.string({ maxLength: 3 }), (at, insert) => {
        // Mutating one spot of a real block must be caught (or be harmless), never crash.
        const mutated = block.slice(0, at) + insert + block.slice(at + 1);
        const result = parsePromotionBody(mutated);
        if (result.ok) expect(result.evidence).toEqual(evidence);
      }),
      { numRuns: 500 },
    );
  });

  it("still parses when people edit around the block, with CRLF line endings", () => {
    const body = renderPromotionBody(evidence).replace("### Gates", "Looks good to me!\n\n### Gates").replace(/\n/g, "\r\n");
    expect(parsePromotionBody(`Note from release manager\r\n\r\n${body}\r\nthanks`)).toEqual({ ok: true, evidence, json: expect.any(String) });
  });

  it.each([
    ["no body", null, "missing", "no Stagegate evidence block"],
    ["no block", "just text", "missing", "no Stagegate evidence block"],
    ["edited block", renderPromotionBody(evidence).replace('"prod-eu"', '"dev"'), "invalid", "modified after Stagegate wrote it"],
    ["two blocks", `${renderEvidenceBlock(evidence)}\n${renderEvidenceBlock(evidence)}`, "invalid", "2 evidence blocks"],
    ["newer version", renderEvidenceBlock(evidence).replace(" v1 ", " v2 "), "invalid", "version 2 is not supported"],
    ["bad header", "<!-- stagegate:evidence v1\n{}\n-->", "invalid", "header is malformed"],
  ])("reports %s", (_, body, error, message) => {
    const result = parsePromotionBody(body);
    expect(result).toMatchObject({ ok: false, error });
    expect(result.ok ? "" : result.message).toContain(message);
  });

  it("reports JSON and schema problems of a block with a valid checksum", async () => {
    const { createHash } = await import("node:crypto");
    const block = (json: string) => `<!-- stagegate:evidence v1 sha256:${createHash("sha256").update(json).digest("hex")}\n${json}\n-->`;
    expect(parsePromotionBody(block("{nope"))).toMatchObject({ ok: false, message: "the evidence block is not valid JSON" });
    const wrong = parsePromotionBody(block(JSON.stringify({ ...evidence, artifact: { ...evidence.artifact, digest: "sha256:short" } })));
    expect(wrong).toMatchObject({ ok: false, error: "invalid" });
    expect(wrong.ok ? "" : wrong.message).toContain("artifact.digest");
  });
});
