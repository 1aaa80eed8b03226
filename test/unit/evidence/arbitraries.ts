import fc from "fast-check";
import { evidenceSchema, type Evidence } from "../../../src/core/evidence/index.js";

/** fast-check arbitraries producing schema-valid evidence (shared by the evidence property tests). */
const name = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const hex = (n: number) => fc.stringMatching(new RegExp(`^[a-f0-9]{${n}}$`));
const digest = hex(64).map((h) => `sha256:${h}`);
const repo = fc.tuple(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/)).map(([o, n]) => `${o}/${n}`);
const source = fc.record({ repo, sha: hex(40) });
const tag = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/);
const text = fc.string({ maxLength: 60, unit: "binary" });
const url = fc.webUrl({ withQueryParameters: true, withFragments: true }).filter((u) => u.length < 2048);

export const evidenceArbitrary: fc.Arbitrary<Evidence> = fc
  .record(
    {
      version: fc.constant(1 as const),
      kind: fc.constantFrom("promotion" as const, "rollback" as const),
      service: name,
      environment: name,
      policy: name,
      from: name,
      requestedBy: fc.string({ maxLength: 40 }),
      reason: text,
      artifact: fc.record(
        { service: name, image: fc.constantFrom("ghcr.io/acme/checkout", "registry.example.com:5000/team/api", "nginx"), digest, tag, source: fc.record({ repo, sha: hex(40), author: fc.stringMatching(/^[a-z]{1,10}$/) }, { requiredKeys: ["repo", "sha"] }), buildUrl: url, scanUrl: url },
        { requiredKeys: ["service", "image", "digest"] },
      ),
      previous: fc.array(fc.record({ digest, tag, source }, { requiredKeys: ["digest"] }), { maxLength: 3 }),
      files: fc.array(fc.record({ path: fc.string({ minLength: 1, maxLength: 40 }), editor: fc.constantFrom("kustomize", "helm", "kubernetes"), lines: fc.nat(20) }), { maxLength: 4 }),
      skipped: fc.array(fc.record({ path: fc.string({ minLength: 1, maxLength: 40 }), reason: text }), { maxLength: 2 }),
      gates: fc.array(fc.record({ name, gate: fc.constantFrom("upstream", "soak", "approvals"), check: name.map((n) => `stagegate/${n}`), description: text }, { requiredKeys: ["name", "gate", "check"] }), { maxLength: 4 }),
      approvals: fc.array(fc.record({ gate: name, count: fc.integer({ min: 1, max: 5 }), teams: fc.array(repo, { maxLength: 2 }), users: fc.array(name, { maxLength: 2 }) }), { maxLength: 2 }),
      reviewers: fc.record({ users: fc.array(name, { maxLength: 2 }), teams: fc.array(name, { maxLength: 2 }) }),
    },
    { requiredKeys: ["version", "kind", "service", "environment", "policy", "artifact", "previous", "files", "gates", "approvals", "reviewers"] },
  )
  .filter((e) => evidenceSchema.safeParse(e).success);
