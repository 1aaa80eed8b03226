/**
 * What the Sigstore adapter hands to the pure provenance check: the attestation AFTER its signature,
 * certificate chain and timestamps were verified by the library (adapters/sigstore), decoded.
 */

/**
 * Identity facts of the signing certificate. GitHub Actions certificates (Fulcio) carry the workflow
 * run in X.509 extensions (OIDs 1.3.6.1.4.1.57264.1.*); a key-signed bundle has none of them.
 */
export interface SignerFacts {
  /** Subject alternative name: for GitHub Actions, the signing workflow `https://github.com/o/r/.github/workflows/x.yml@refs/…`. */
  subjectAlternativeName?: string;
  /** OIDC issuer (1.3.6.1.4.1.57264.1.8, else .1). */
  issuer?: string;
  /** Source Repository URI (.12), `https://github.com/owner/repo`. */
  sourceRepositoryUri?: string;
  /** Source Repository Digest (.13): the commit built. */
  sourceRepositoryDigest?: string;
  /** Source Repository Ref (.14), `refs/heads/main`. */
  sourceRepositoryRef?: string;
  /** Build Config URI (.18): the top-level workflow, `https://github.com/o/r/.github/workflows/release.yml@refs/heads/main`. */
  buildConfigUri?: string;
  /** Build Signer URI (.9): the workflow that signed (a reusable workflow when one is used). */
  buildSignerUri?: string;
  /** Run Invocation URI (.21): link to the workflow run. */
  runInvocationUri?: string;
  /** Public key hint, when the bundle was signed with a key instead of a certificate. */
  keyHint?: string;
}

/** A signature-verified attestation: the in-toto statement (decoded DSSE payload) and who signed it, when. */
export interface VerifiedAttestation {
  /** The decoded in-toto statement (JSON); the pure check validates its shape. */
  statement: unknown;
  signer: SignerFacts;
  /** Verified signing time (transparency log integration time or RFC 3161 timestamp), ISO 8601. */
  signedAt?: string;
}

/** One attestation returned for the digest: verified, or why its verification failed. */
export interface AttestationFact {
  /** Where the bundle came from (the API's bundle_url), for the report. */
  bundleUrl?: string;
  verified?: VerifiedAttestation;
  /** Bundle malformed, signature/certificate/timestamp/transparency log verification failed… */
  error?: string;
}

/** Everything a provenance gate needs, collected by the adapter for one (repository, digest). */
export interface ProvenanceFacts {
  repository: string;
  digest: string;
  fetchedAt: string;
  attestations: AttestationFact[];
  /** The attestations could not be listed (API error, no access). */
  error?: string;
}

/** Collects the provenance facts of one (repository, digest): lists its attestations and verifies each (adapters/sigstore). */
export type ProvenanceProbe = (request: { repository: string; digest: string }) => Promise<ProvenanceFacts>;
