import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planPromotion } from "../../../src/core/plan/index.js";
import { applyFiles, D, fixtureConfig, fixtureFiles, fixtureSnapshot } from "./fixture.js";

const loaded = fixtureConfig();
const artifact = { service: "checkout", image: "ghcr.io/acme/checkout", digest: D.new, tag: "v1.5.0", source: { repo: "acme/checkout", sha: "c".repeat(40) } };

describe("plan output", () => {
  it("renders the commit message: headline, what and from where, files, trailers", () => {
    const plan = planPromotion(fixtureSnapshot(), { artifact, environment: "prod-eu", from: "staging", requestedBy: "alice" }, loaded);
    expect(plan.commitMessage).toMatchInlineSnapshot(`
      "promote checkout to prod-eu: sha256:abcdef123456 (v1.5.0)

      Set ghcr.io/acme/checkout to sha256:abcdef1234567777777777777777777777777777777777777777777777777777 (v1.5.0) in prod-eu, replacing sha256:000000000000. Promoted from staging.

      Requested by alice.

      - environments/prod-eu/checkout/kustomization.yaml (kustomize, 2 lines)
      - environments/prod-eu/checkout/migrate-job.yaml (kubernetes, 1 line)

      Stagegate-Service: checkout
      Stagegate-Environment: prod-eu
      Stagegate-Kind: promotion
      Stagegate-Image: ghcr.io/acme/checkout@sha256:abcdef1234567777777777777777777777777777777777777777777777777777
      Stagegate-Tag: v1.5.0
      Stagegate-Previous: sha256:0000000000000000000000000000000000000000000000000000000000000001
      Stagegate-Source: acme/checkout@cccccccccccccccccccccccccccccccccccccccc
      Stagegate-From: staging
      "
    `);
  });

  it("renders a rollback commit message with its reason", () => {
    const plan = planPromotion(fixtureSnapshot(), { artifact, environment: "prod-eu", kind: "rollback", reason: "verification failed:\nerror rate 7%" }, loaded);
    expect(plan.commitMessage.split("\n\n").slice(0, 3)).toEqual([
      "rollback checkout in prod-eu to sha256:abcdef123456 (v1.5.0)",
      "Set ghcr.io/acme/checkout to sha256:abcdef1234567777777777777777777777777777777777777777777777777777 (v1.5.0) in prod-eu, replacing sha256:000000000000.",
      "Reason: verification failed: error rate 7%",
    ]);
  });

  it("renders the PR body human part", () => {
    const plan = planPromotion(fixtureSnapshot(), { artifact, environment: "prod-eu", from: "staging" }, loaded);
    expect(plan.body.slice(0, plan.body.indexOf("<!--"))).toMatchInlineSnapshot(`
      "## Promotion of \`checkout\` to \`prod-eu\`

      | | |
      |---|---|
      | **Artifact** | \`ghcr.io/acme/checkout@sha256:abcdef1234567777777777777777777777777777777777777777777777777777\` |
      | **Tag** | \`v1.5.0\` |
      | **Source** | [acme/checkout@ccccccc](https://github.com/acme/checkout/commit/cccccccccccccccccccccccccccccccccccccccc) |
      | **Previous** | \`sha256:0000000000000000000000000000000000000000000000000000000000000001 (v1.4.1)\` |
      | **From** | \`staging\` |
      | **Policy** | \`policies/prod.yaml\` |

      ### Files changed (2)

      - \`environments/prod-eu/checkout/kustomization.yaml\` (kustomize, 2 lines)
      - \`environments/prod-eu/checkout/migrate-job.yaml\` (kubernetes, 1 line)

      ### Gates

      | Check | Condition |
      |---|---|
      | \`stagegate/upstream\` | the digest is deployed and verified healthy in every upstream environment |
      | \`stagegate/soak\` | the digest has been healthy upstream for the soak duration |
      | \`stagegate/approvals\` | enough approvals from the named teams/users |
      | \`stagegate\` | every gate above passes |

      ### Approvals required

      - 2 approvals from \`acme/sre\`, \`erin\` (gate \`approvals\`)

      Review requested from \`sre\`, \`platform-leads\`, \`checkout-team\`, \`dave\`, \`frank\`, \`carol\`.

      <sub>Written by Stagegate. The hidden evidence block below is machine-readable: edit around it, not inside it.</sub>

      "
    `);
  });

  it("is idempotent for any digest and tag (property)", () => {
    const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);
    const tag = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined });
    fc.assert(
      fc.property(digest, tag, fc.constantFrom("checkout", "payments", "search"), (d, t, service) => {
        const snapshot = fixtureSnapshot(fixtureFiles());
        const request = { artifact: { service, image: `ghcr.io/acme/${service}`, digest: d, ...(t ? { tag: t } : {}) }, environment: "prod-eu" };
        const plan = planPromotion(snapshot, request, loaded);
        if (plan.status !== "changed") return;
        const again = planPromotion(applyFiles(snapshot, plan.files), request, loaded);
        expect(again.status).toBe("already-promoted");
        // Every line that differs is a line the plan reports (no stray edits).
        for (const f of plan.files) {
          const before = f.before.split("\n");
          const after = f.after.split("\n");
          expect(after.length).toBe(before.length);
          const differing = after.flatMap((line, i) => (line === before[i] ? [] : [i + 1]));
          expect(differing).toEqual([...new Set(f.lines.map((l) => l.line))].sort((a, b) => a - b));
        }
      }),
      { numRuns: 60 },
    );
  });
});
