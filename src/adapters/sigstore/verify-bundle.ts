import { bundleFromJSON, type Bundle } from "@sigstore/bundle";
import { RFC3161Timestamp } from "@sigstore/core";
import { toSignedEntity, Verifier, type Signer, type TrustMaterial, type VerifierOptions } from "@sigstore/verify";
import type { SignerFacts, VerifiedAttestation } from "../../core/provenance/types.js";

/** The in-toto DSSE payload type (GitHub artifact attestations use it). */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";

/**
 * How many independent proofs a bundle must carry. Sigstore's public-good instance (public repositories):
 * the defaults (1 SCT, 1 transparency log entry, 1 timestamp). GitHub's own instance (private
 * repositories) has no transparency log: `tlogThreshold: 0` (its bundles carry RFC 3161 timestamps).
 */
export type VerifyThresholds = Pick<VerifierOptions, "ctlogThreshold" | "tlogThreshold" | "timestampThreshold">;

// Fulcio certificate extensions (https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md).
const FULCIO = "1.3.6.1.4.1.57264.1.";
const EXTENSIONS = {
  buildSignerUri: "9",
  sourceRepositoryUri: "12",
  sourceRepositoryDigest: "13",
  sourceRepositoryRef: "14",
  buildConfigUri: "18",
  runInvocationUri: "21",
} as const satisfies Partial<Record<keyof SignerFacts, string>>;

export type BundleVerification = { ok: true; attestation: VerifiedAttestation } | { ok: false; reason: string };

/**
 * Decodes one DER UTF8String (how Fulcio encodes the .8+ extensions); the raw text otherwise (the
 * deprecated .1–.6 extensions hold bare strings).
 */
function decodeExtension(value: Buffer): string {
  if (value[0] !== 0x0c || value.length < 2) return value.toString("utf8");
  const first = value[1]!;
  const [length, offset] = first < 0x80 ? [first, 2] : [value.subarray(2, 2 + (first & 0x7f)).reduce((n, b) => n * 256 + b, 0), 2 + (first & 0x7f)];
  return value.subarray(offset, offset + length).toString("utf8");
}

function signerFacts(signer: Signer, bundle: Bundle): SignerFacts {
  const facts: SignerFacts = {};
  const identity = signer.identity;
  if (identity?.subjectAlternativeName) facts.subjectAlternativeName = identity.subjectAlternativeName;
  if (identity?.extensions?.issuer) facts.issuer = identity.extensions.issuer;
  for (const [key, suffix] of Object.entries(EXTENSIONS) as [keyof typeof EXTENSIONS, string][]) {
    const ext = identity?.oids?.find((o) => o.oid?.id.join(".") === FULCIO + suffix);
    if (ext) facts[key] = decodeExtension(Buffer.from(ext.value));
  }
  const material = bundle.verificationMaterial.content;
  if (material.$case === "publicKey") facts.keyHint = material.publicKey.hint;
  return facts;
}

/** The verified signing time: the latest transparency log integration time or RFC 3161 timestamp. */
function signedAt(bundle: Bundle): string | undefined {
  const times: number[] = bundle.verificationMaterial.tlogEntries.filter((e) => e.inclusionPromise && e.integratedTime !== "0").map((e) => Number(e.integratedTime) * 1000);
  for (const ts of bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []) {
    times.push(RFC3161Timestamp.parse(Buffer.from(ts.signedTimestamp)).signingTime.getTime());
  }
  return times.length > 0 ? new Date(Math.max(...times)).toISOString() : undefined;
}

/**
 * Verifies a Sigstore bundle (v0.1–v0.3, JSON as the attestations API returns it) holding a DSSE
 * envelope of an in-toto statement, with @sigstore/verify against the given trust material: the
 * certificate chains to a trusted CA and was valid at a verified timestamp, transparency log
 * entries and SCTs verify, and the envelope's signature is valid. Never throws: a bundle that does
 * not verify comes back with the library's reason.
 */
export function verifyAttestationBundle(json: unknown, trust: TrustMaterial, thresholds: VerifyThresholds = {}): BundleVerification {
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (error) {
    return { ok: false, reason: `malformed bundle: ${describe(error)}` };
  }
  if (bundle.content.$case !== "dsseEnvelope") return { ok: false, reason: "the bundle holds a message signature, not a DSSE attestation" };
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return { ok: false, reason: `payload type ${envelope.payloadType}, expected ${IN_TOTO_PAYLOAD_TYPE}` };
  let signer: Signer;
  try {
    signer = new Verifier(trust, thresholds).verify(toSignedEntity(bundle));
  } catch (error) {
    return { ok: false, reason: describe(error) };
  }
  let statement: unknown;
  try {
    statement = JSON.parse(Buffer.from(envelope.payload).toString("utf8"));
  } catch {
    return { ok: false, reason: "the signed payload is not JSON" };
  }
  const at = signedAt(bundle);
  return { ok: true, attestation: { statement, signer: signerFacts(signer, bundle), ...(at ? { signedAt: at } : {}) } };
}

/** The library's message, with its code and cause (VerificationError carries both). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${typeof code === "string" ? `${code}: ` : ""}${error.message}${cause}`;
}
