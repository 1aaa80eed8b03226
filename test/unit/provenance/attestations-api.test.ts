import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { createProvenanceProbe, githubAttestations, loadTrustMaterial } from "../../../src/adapters/sigstore/index.js";
import { evaluateProvenance } from "../../../src/core/gates/provenance.js";
import { RestContract } from "../../support/github/rest-contract.js";
import { ctx, facts, gate } from "../gates/helpers.js";
import { AttestationAuthority } from "./support/attestation-builder.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const contract = new RestContract();
const violations: string[] = [];

/** Answers the attestations endpoint with `body` after checking request and response against GitHub's OpenAPI description. */
function serve(status: number, body: unknown) {
  return nock("https://api.github.com")
    .get(/^\/repos\/acme\/checkout\/attestations\//)
    .query(true)
    .reply(function (uri) {
      violations.push(...contract.checkRequest("GET", uri, undefined), ...contract.checkResponse("GET", uri, status, body));
      expect(decodeURIComponent(uri.split("?")[0]!)).toBe(`/repos/acme/checkout/attestations/${DIGEST}`);
      return [status, body];
    });
}

afterEach(() => {
  expect(violations).toEqual([]);
  violations.length = 0;
});

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const octokit = new Octokit({ auth: "t", request: { retries: 0 }, log: quiet });
const authority = new AttestationAuthority();
const probe = createProvenanceProbe({ attestations: githubAttestations(octokit), trust: loadTrustMaterial(authority.trustedRoot()), thresholds: { ctlogThreshold: 0 }, now: () => new Date("2024-06-03T10:00:00Z") });
const spec = gate({ gate: "provenance", repository: "acme/checkout", workflow: ".github/workflows/release.yml", ref: ["refs/heads/main", "refs/tags/v*"] });

describe("GitHub attestations → Sigstore verification → provenance gate", () => {
  it("passes on a verified attestation from the expected workflow, with the facts as evidence", async () => {
    serve(200, { attestations: [{ bundle: authority.bundle({ digest: DIGEST, ref: "refs/tags/v1.4.0" }), repository_id: 42, bundle_url: "https://example.test/bundle/1" }] });
    const collected = await probe({ repository: "acme/checkout", digest: DIGEST });
    expect(collected).toMatchObject({ repository: "acme/checkout", digest: DIGEST, fetchedAt: "2024-06-03T10:00:00.000Z", attestations: [{ bundleUrl: "https://example.test/bundle/1", verified: expect.any(Object) }] });
    const r = evaluateProvenance(spec, facts({ provenance: { provenance: collected } }), ctx({ digest: DIGEST }));
    expect(r.conclusion).toBe("success");
    expect(r.evidence).toEqual({ repository: "acme/checkout", workflow: ".github/workflows/release.yml", ref: "refs/tags/v1.4.0", commit: "c0ffee".padEnd(40, "0"), predicateType: "https://slsa.dev/provenance/v1", signer: "https://github.com/acme/checkout/.github/workflows/release.yml@refs/tags/v1.4.0", issuer: "https://token.actions.githubusercontent.com", signedAt: "2024-06-01T12:00:00.000Z", run: "https://github.com/acme/checkout/actions/runs/7/attempts/1", bundleUrl: "https://example.test/bundle/1" });
  });

  it("fails when the only attestation comes from another workflow or does not verify", async () => {
    const tampered = authority.bundle({ digest: DIGEST }) as { dsseEnvelope: { signatures: { sig: string }[] } };
    tampered.dsseEnvelope.signatures[0]!.sig = Buffer.from("forged").toString("base64");
    serve(200, { attestations: [{ bundle: authority.bundle({ digest: DIGEST, workflow: ".github/workflows/ci.yml" }), repository_id: 42 }, { bundle: tampered, repository_id: 42 }] });
    const r = evaluateProvenance(spec, facts({ provenance: { provenance: await probe({ repository: "acme/checkout", digest: DIGEST }) } }), ctx({ digest: DIGEST }));
    expect(r.conclusion).toBe("failure");
    expect(r.summary).toMatch(/built by workflow \.github\/workflows\/ci\.yml, expected \.github\/workflows\/release\.yml/);
    expect(r.details).toMatch(/signature verification failed: TLOG_BODY_ERROR: tlog entry signature mismatch/);
  });

  it("treats 404 as no attestation and reports other API errors", async () => {
    serve(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    expect((await probe({ repository: "acme/checkout", digest: DIGEST })).attestations).toEqual([]);
    serve(403, { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest" });
    const denied = await probe({ repository: "acme/checkout", digest: DIGEST });
    expect(denied.error).toMatch(/Resource not accessible by integration/);
    expect(evaluateProvenance(spec, facts({ provenance: { provenance: denied } }), ctx({ digest: DIGEST })).conclusion).toBe("failure");
  });
});
