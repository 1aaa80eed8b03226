import type { TrustMaterial } from "@sigstore/verify";
import type { ProvenanceProbe } from "../../core/provenance/types.js";
import type { AttestationsSource } from "./attestations-api.js";
import { verifyAttestationBundle, type VerifyThresholds } from "./verify-bundle.js";

export type { ProvenanceProbe };

export interface ProvenanceProbeOptions {
  attestations: AttestationsSource;
  trust: TrustMaterial;
  thresholds?: VerifyThresholds;
  now?: () => Date;
}

/** What the app needs to verify attestations: the trust roots and the verification thresholds. */
export type ProvenanceTrust = Pick<ProvenanceProbeOptions, "trust" | "thresholds">;

/**
 * The provenance probe: every attestation GitHub lists for the digest is verified with Sigstore; the
 * policy decision is left to the gate (core/provenance), which sees verified facts or the reasons each
 * bundle failed. A listing failure is reported in the facts, never thrown, so the gate can say why.
 */
export function createProvenanceProbe(options: ProvenanceProbeOptions): ProvenanceProbe {
  const now = options.now ?? (() => new Date());
  return async ({ repository, digest }) => {
    const base = { repository, digest, fetchedAt: now().toISOString() };
    let listed;
    try {
      listed = await options.attestations(repository, digest);
    } catch (error) {
      return { ...base, attestations: [], error: error instanceof Error ? error.message : String(error) };
    }
    const attestations = listed.map((a) => {
      const url = a.bundleUrl !== undefined ? { bundleUrl: a.bundleUrl } : {};
      if (a.bundle === undefined) return { ...url, error: "the API returned no bundle (only a bundle_url)" };
      const verification = verifyAttestationBundle(a.bundle, options.trust, options.thresholds);
      return verification.ok ? { ...url, verified: verification.attestation } : { ...url, error: verification.reason };
    });
    return { ...base, attestations };
  };
}
