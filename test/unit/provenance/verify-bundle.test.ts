import { beforeAll, describe, expect, it } from "vitest";
import type { TrustMaterial } from "@sigstore/verify";
import { loadTrustMaterial, parseTrustedRoots, verifyAttestationBundle } from "../../../src/adapters/sigstore/index.js";
import { checkAttestation } from "../../../src/core/provenance/index.js";
import { AttestationAuthority } from "./support/attestation-builder.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;
// The throwaway CA issues no SCTs; everything else is checked as for the real Sigstore.
const THRESHOLDS = { ctlogThreshold: 0, tlogThreshold: 1, timestampThreshold: 1 };
const POLICY = { repository: "acme/checkout", workflow: ".github/workflows/release.yml", ref: "refs/heads/main", predicateType: "https://slsa.dev/provenance/v1", issuer: "https://token.actions.githubusercontent.com" };

let authority: AttestationAuthority;
let trust: TrustMaterial;

beforeAll(() => {
  authority = new AttestationAuthority();
  trust = loadTrustMaterial(authority.trustedRoot());
});

describe("verifyAttestationBundle (@sigstore/verify with throwaway trust material)", () => {
  it("verifies a generated bundle and extracts the GitHub identity from the certificate", () => {
    const result = verifyAttestationBundle(authority.bundle({ digest: DIGEST }), trust, THRESHOLDS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.attestation.signer).toEqual({
      subjectAlternativeName: "https://github.com/acme/checkout/.github/workflows/release.yml@refs/heads/main",
      issuer: "https://token.actions.githubusercontent.com",
      buildSignerUri: "https://github.com/acme/checkout/.github/workflows/release.yml@refs/heads/main",
      sourceRepositoryUri: "https://github.com/acme/checkout",
      sourceRepositoryDigest: "c0ffee".padEnd(40, "0"),
      sourceRepositoryRef: "refs/heads/main",
      buildConfigUri: "https://github.com/acme/checkout/.github/workflows/release.yml@refs/heads/main",
      runInvocationUri: "https://github.com/acme/checkout/actions/runs/7/attempts/1",
    });
    expect(result.attestation.signedAt).toBe("2024-06-01T12:00:00.000Z");
    expect(checkAttestation(result.attestation, POLICY, DIGEST)).toMatchObject({ ok: true, facts: { repository: "acme/checkout", ref: "refs/heads/main" } });
  });

  it("verifies with the default thresholds except SCTs, and refuses when SCTs are required", () => {
    const bundle = authority.bundle({ digest: DIGEST });
    expect(verifyAttestationBundle(bundle, trust, { ctlogThreshold: 0 }).ok).toBe(true);
    expect(verifyAttestationBundle(bundle, trust)).toEqual({ ok: false, reason: "CERTIFICATE_ERROR: expected 1 SCTs, got 0" });
  });

  it("verified attestations from the wrong repository, workflow or ref fail the policy check", () => {
    for (const [spec, reason] of [
      [{ repository: "evil/checkout" }, /built from evil\/checkout/],
      [{ workflow: ".github/workflows/ci.yml" }, /workflow \.github\/workflows\/ci\.yml/],
      [{ ref: "refs/heads/feature" }, /built on refs\/heads\/feature/],
    ] as const) {
      const result = verifyAttestationBundle(authority.bundle({ digest: DIGEST, ...spec }), trust, THRESHOLDS);
      expect(result.ok).toBe(true);
      if (result.ok) expect(checkAttestation(result.attestation, POLICY, DIGEST).reasons.join()).toMatch(reason);
    }
  });

  it("refuses a tampered payload (the subject digest changed after signing)", () => {
    const bundle = authority.bundle({ digest: DIGEST }) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString()) as { subject: { digest: { sha256: string } }[] };
    statement.subject[0]!.digest.sha256 = "cd".repeat(32);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString("base64");
    const result = verifyAttestationBundle(bundle, trust, THRESHOLDS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/TLOG_BODY_ERROR: DSSE payload hash mismatch|SIGNATURE_ERROR/);
  });

  it("refuses a re-signed payload whose log entry belongs to another envelope", () => {
    const good = authority.bundle({ digest: DIGEST }) as { verificationMaterial: { tlogEntries: unknown[] } };
    const other = authority.bundle({ digest: `sha256:${"cd".repeat(32)}` }) as { verificationMaterial: { tlogEntries: unknown[] } };
    other.verificationMaterial.tlogEntries = good.verificationMaterial.tlogEntries;
    expect(verifyAttestationBundle(other, trust, THRESHOLDS)).toMatchObject({ ok: false, reason: expect.stringMatching(/TLOG_BODY_ERROR/) });
  });

  it("refuses a certificate that had expired when the entry was logged", () => {
    const bundle = authority.bundle({ digest: DIGEST, notBefore: new Date("2024-06-01T11:00:00Z"), notAfter: new Date("2024-06-01T11:10:00Z") });
    expect(verifyAttestationBundle(bundle, trust, THRESHOLDS)).toEqual({ ok: false, reason: "CERTIFICATE_ERROR: Failed to verify certificate chain: certificate is not valid or expired at the specified date" });
  });

  it("refuses a bundle signed under another (untrusted) CA", () => {
    const stranger = new AttestationAuthority();
    expect(verifyAttestationBundle(stranger.bundle({ digest: DIGEST }), trust, THRESHOLDS)).toMatchObject({ ok: false, reason: expect.stringMatching(/TLOG|CERTIFICATE_ERROR/) });
  });

  it("refuses malformed bundles and non-DSSE content without throwing", () => {
    expect(verifyAttestationBundle({ mediaType: "nope" }, trust, THRESHOLDS)).toMatchObject({ ok: false, reason: expect.stringMatching(/^malformed bundle/) });
    expect(verifyAttestationBundle(null, trust, THRESHOLDS).ok).toBe(false);
  });
});

describe("trust roots", () => {
  it("loads JSON Lines of trusted roots (gh attestation trusted-root) and refuses other documents", () => {
    const other = new AttestationAuthority();
    const merged = parseTrustedRoots(`${JSON.stringify(authority.trustedRoot())}\n${JSON.stringify(other.trustedRoot())}\n`);
    expect(merged.certificateAuthorities).toHaveLength(2);
    expect(verifyAttestationBundle(other.bundle({ digest: DIGEST }), merged, THRESHOLDS).ok).toBe(true);
    expect(() => loadTrustMaterial({ mediaType: "application/json" })).toThrow(/not a Sigstore trusted root/);
  });
});
