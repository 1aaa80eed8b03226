import { describe, expect, it } from "vitest";
import { checkAttestation, parseWorkflowUri, type ProvenancePolicy } from "../../../src/core/provenance/index.js";
import type { SignerFacts, VerifiedAttestation } from "../../../src/core/provenance/index.js";
import { evaluateProvenance } from "../../../src/core/gates/provenance.js";
import { ctx, DIGEST, facts, gate } from "../gates/helpers.js";

const COMMIT = "c0ffee".padEnd(40, "0");
const ISSUER = "https://token.actions.githubusercontent.com";

function signer(overrides: Partial<SignerFacts> = {}): SignerFacts {
  return {
    subjectAlternativeName: "https://github.com/acme/checkout/.github/workflows/release.yml@refs/heads/main",
    issuer: ISSUER,
    sourceRepositoryUri: "https://github.com/acme/checkout",
    sourceRepositoryDigest: COMMIT,
    sourceRepositoryRef: "refs/heads/main",
    buildConfigUri: "https://github.com/acme/checkout/.github/workflows/release.yml@refs/heads/main",
    runInvocationUri: "https://github.com/acme/checkout/actions/runs/1/attempts/1",
    ...overrides,
  };
}

function attestation(overrides: { digest?: string; predicateType?: string; signer?: Partial<SignerFacts>; statement?: unknown } = {}): VerifiedAttestation {
  const statement = overrides.statement ?? {
    _type: "https://in-toto.io/Statement/v1",
    subject: [{ name: "ghcr.io/acme/checkout", digest: { sha256: (overrides.digest ?? DIGEST).slice(7) } }],
    predicateType: overrides.predicateType ?? "https://slsa.dev/provenance/v1",
    predicate: {},
  };
  return { statement, signer: signer(overrides.signer), signedAt: "2024-06-01T00:00:00.000Z" };
}

const POLICY: ProvenancePolicy = { repository: "acme/checkout", workflow: ".github/workflows/release.yml", ref: ["refs/heads/main", "refs/tags/v*"], predicateType: "https://slsa.dev/provenance/v1", issuer: ISSUER };

describe("checkAttestation", () => {
  it("accepts the expected repository, workflow and ref, and reports the facts", () => {
    const check = checkAttestation(attestation(), POLICY, DIGEST, COMMIT);
    expect(check).toEqual({
      ok: true,
      reasons: [],
      facts: { repository: "acme/checkout", workflow: ".github/workflows/release.yml", ref: "refs/heads/main", commit: COMMIT, predicateType: "https://slsa.dev/provenance/v1", signer: signer().subjectAlternativeName, issuer: ISSUER, signedAt: "2024-06-01T00:00:00.000Z", run: signer().runInvocationUri },
    });
  });

  it.each([
    ["wrong repository", { signer: { sourceRepositoryUri: "https://github.com/evil/checkout", buildConfigUri: "https://github.com/evil/checkout/.github/workflows/release.yml@refs/heads/main" } }, /built from evil\/checkout, expected acme\/checkout/],
    ["wrong workflow", { signer: { buildConfigUri: "https://github.com/acme/checkout/.github/workflows/ci.yml@refs/heads/main" } }, /workflow \.github\/workflows\/ci\.yml, expected/],
    ["wrong ref", { signer: { sourceRepositoryRef: "refs/heads/feature" } }, /built on refs\/heads\/feature, expected refs\/heads\/main or refs\/tags\/v\*/],
    ["digest not a subject", { digest: `sha256:${"f".repeat(64)}` }, /is not a subject of the attestation/],
    ["other predicate", { predicateType: "https://spdx.dev/Document" }, /predicate type is https:\/\/spdx\.dev\/Document/],
    ["other issuer", { signer: { issuer: "https://accounts.google.com" } }, /identity from https:\/\/accounts\.google\.com/],
    ["not a statement", { statement: { hello: 1 } }, /not an in-toto statement/],
  ])("refuses %s", (_name, overrides, reason) => {
    const check = checkAttestation(attestation(overrides), POLICY, DIGEST);
    expect(check.ok).toBe(false);
    expect(check.reasons.join("\n")).toMatch(reason);
  });

  it("accepts tag refs through the pattern and checks the signer identity pattern", () => {
    const tagged = attestation({ signer: { sourceRepositoryRef: "refs/tags/v1.2.0" } });
    expect(checkAttestation(tagged, POLICY, DIGEST).ok).toBe(true);
    expect(checkAttestation(tagged, { ...POLICY, signerIdentity: "https://github.com/acme/build/*" }, DIGEST).reasons).toEqual([`signer ${signer().subjectAlternativeName} does not match https://github.com/acme/build/*`]);
  });

  it("refuses an attestation of another commit than the artifact's source commit", () => {
    expect(checkAttestation(attestation(), POLICY, DIGEST, "d".repeat(40)).reasons).toEqual([`attested commit ${COMMIT.slice(0, 12)} is not the artifact's source commit dddddddddddd`]);
  });

  it("falls back to the SLSA predicate when the certificate has no GitHub extensions", () => {
    const statement = {
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ digest: { sha256: DIGEST.slice(7) } }],
      predicateType: "https://slsa.dev/provenance/v1",
      predicate: { buildDefinition: { externalParameters: { workflow: { repository: "https://github.com/acme/checkout", path: ".github/workflows/release.yml", ref: "refs/tags/v2" } }, resolvedDependencies: [{ digest: { gitCommit: COMMIT } }] } },
    };
    const check = checkAttestation({ statement, signer: { issuer: ISSUER, keyHint: "k1" } }, POLICY, DIGEST);
    expect(check.facts).toMatchObject({ repository: "acme/checkout", workflow: ".github/workflows/release.yml", ref: "refs/tags/v2", commit: COMMIT, signer: "key:k1" });
    expect(check.ok).toBe(true);
  });

  it("parses workflow URIs", () => {
    expect(parseWorkflowUri("https://github.com/a/b/.github/workflows/x.yml@refs/tags/v1")).toEqual({ repository: "a/b", workflow: ".github/workflows/x.yml", ref: "refs/tags/v1" });
    expect(parseWorkflowUri("https://gitlab.com/a/b")).toBeUndefined();
  });
});

describe("provenance gate", () => {
  const spec = gate({ gate: "provenance", repository: "acme/checkout", workflow: ".github/workflows/release.yml", ref: "refs/heads/main" });
  const collected = (attestations: { verified?: VerifiedAttestation; error?: string }[], error?: string) => ({ provenance: { provenance: { repository: "acme/checkout", digest: DIGEST, fetchedAt: "2024-06-03T10:00:00Z", attestations, ...(error ? { error } : {}) } } });

  it("fails closed without facts, on a listing error and without attestations", () => {
    expect(evaluateProvenance(spec, facts(), ctx())).toMatchObject({ conclusion: "failure", summary: "attestations were not collected" });
    expect(evaluateProvenance(spec, facts(collected([], "HTTP 403")), ctx())).toMatchObject({ conclusion: "failure", summary: "could not list attestations: HTTP 403" });
    expect(evaluateProvenance(spec, facts(collected([])), ctx())).toMatchObject({ conclusion: "failure", summary: "no attestation for this digest in acme/checkout" });
  });

  it("passes when one attestation verifies and matches, with the facts as evidence", () => {
    const r = evaluateProvenance(spec, facts(collected([{ error: "signature verification failed" }, { verified: attestation() }])), ctx());
    expect(r.conclusion).toBe("success");
    expect(r.summary).toBe(`built by acme/checkout .github/workflows/release.yml on refs/heads/main at ${COMMIT.slice(0, 12)}`);
    expect(r.evidence).toMatchObject({ repository: "acme/checkout", workflow: ".github/workflows/release.yml", ref: "refs/heads/main", commit: COMMIT, predicateType: "https://slsa.dev/provenance/v1", issuer: ISSUER });
  });

  it("fails with every attestation's reason", () => {
    const r = evaluateProvenance(spec, facts(collected([{ error: "certificate is not valid or expired at the specified date" }, { verified: attestation({ signer: { sourceRepositoryRef: "refs/heads/dev" } }) }])), ctx());
    expect(r.conclusion).toBe("failure");
    expect(r.summary).toBe("no valid attestation from acme/checkout .github/workflows/release.yml: signature verification failed: certificate is not valid or expired at the specified date");
    expect(r.details).toContain("built on refs/heads/dev, expected refs/heads/main");
  });
});
