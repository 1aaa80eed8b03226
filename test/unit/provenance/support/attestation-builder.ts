/**
 * Builds GitHub-style artifact attestations for tests from throwaway keys: a CA standing in for Fulcio,
 * a transparency log standing in for Rekor, and Sigstore v0.3 bundles holding a DSSE envelope of an
 * in-toto SLSA provenance statement, signed by a short-lived leaf certificate that carries the GitHub
 * Actions identity extensions. Verification in the code under test is done by @sigstore/verify against
 * the trusted root this builder prints, exactly as with the real Sigstore trust root.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { dsse, json } from "@sigstore/core";
import { certificate } from "./der.js";

const FULCIO = "1.3.6.1.4.1.57264.1.";
const LOG_ORIGIN = "rekor.test";

export interface AttestationSpec {
  /** sha256:… subject of the statement. */
  digest: string;
  repository?: string;
  workflow?: string;
  ref?: string;
  commit?: string;
  predicateType?: string;
  issuer?: string;
  /** When the transparency log integrated the entry (default: the builder's now). */
  integratedAt?: Date;
  /** Leaf certificate validity (default: 1 minute before integration to 10 minutes after, like Fulcio). */
  notBefore?: Date;
  notAfter?: Date;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64");
const p256 = () => generateKeyPairSync("ec", { namedCurve: "P-256" });

export class AttestationAuthority {
  readonly #ca = p256();
  readonly #log = p256();
  readonly #caCert: Buffer;
  readonly #logId: Buffer;
  #index = 0;

  constructor(readonly now: Date = new Date("2024-06-01T12:00:00Z")) {
    this.#caCert = certificate({ subject: "test fulcio", issuer: "test fulcio", publicKey: this.#ca.publicKey, signingKey: this.#ca.privateKey, notBefore: new Date("2020-01-01T00:00:00Z"), notAfter: new Date("2040-01-01T00:00:00Z"), ca: true });
    this.#logId = createHash("sha256").update(this.#log.publicKey.export({ type: "spki", format: "der" })).digest();
  }

  /** The trusted_root.json (v0.1) trusting this CA and log. */
  trustedRoot(): Record<string, unknown> {
    const start = { start: "2020-01-01T00:00:00Z" };
    return {
      mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
      tlogs: [{ baseUrl: `https://${LOG_ORIGIN}`, hashAlgorithm: "SHA2_256", publicKey: { rawBytes: b64(this.#log.publicKey.export({ type: "spki", format: "der" })), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: start }, logId: { keyId: b64(this.#logId) } }],
      certificateAuthorities: [{ subject: { organization: "stagegate-test", commonName: "test fulcio" }, uri: "https://fulcio.test", certChain: { certificates: [{ rawBytes: b64(this.#caCert) }] }, validFor: start }],
      ctlogs: [],
      timestampAuthorities: [],
    };
  }

  /** The in-toto statement GitHub's attest-build-provenance writes (SLSA v1, trimmed). */
  statement(spec: AttestationSpec): Record<string, unknown> {
    const { repository, workflow, ref, commit } = this.#defaults(spec);
    return {
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: `ghcr.io/${repository}`, digest: { sha256: spec.digest.replace(/^sha256:/, "") } }],
      predicateType: spec.predicateType ?? "https://slsa.dev/provenance/v1",
      predicate: {
        buildDefinition: {
          buildType: "https://actions.github.io/buildtypes/workflow/v1",
          externalParameters: { workflow: { ref, repository: `https://github.com/${repository}`, path: workflow } },
          resolvedDependencies: [{ uri: `git+https://github.com/${repository}@${ref}`, digest: { gitCommit: commit } }],
        },
        runDetails: { builder: { id: `https://github.com/${repository}/${workflow}@${ref}` }, metadata: { invocationId: `https://github.com/${repository}/actions/runs/7/attempts/1` } },
      },
    };
  }

  /** A Sigstore bundle v0.3 (JSON) attesting `spec`; `mutate` may change the statement before signing. */
  bundle(spec: AttestationSpec, mutate?: (statement: Record<string, unknown>) => void): Record<string, unknown> {
    const statement = this.statement(spec);
    mutate?.(statement);
    return this.sign(Buffer.from(JSON.stringify(statement)), spec);
  }

  /** Signs `payload` as an in-toto DSSE envelope with a fresh leaf certificate and logs it. */
  sign(payload: Buffer, spec: AttestationSpec): Record<string, unknown> {
    const { repository, workflow, ref, commit } = this.#defaults(spec);
    const integratedAt = spec.integratedAt ?? this.now;
    const leaf = p256();
    const workflowUri = `https://github.com/${repository}/${workflow}@${ref}`;
    const cert = certificate({
      subject: "",
      issuer: "test fulcio",
      publicKey: leaf.publicKey,
      signingKey: this.#ca.privateKey,
      notBefore: spec.notBefore ?? new Date(integratedAt.getTime() - 60_000),
      notAfter: spec.notAfter ?? new Date(integratedAt.getTime() + 600_000),
      serial: ++this.#index + 1,
      uri: workflowUri,
      extensions: {
        [`${FULCIO}8`]: spec.issuer ?? "https://token.actions.githubusercontent.com",
        [`${FULCIO}9`]: workflowUri,
        [`${FULCIO}12`]: `https://github.com/${repository}`,
        [`${FULCIO}13`]: commit,
        [`${FULCIO}14`]: ref,
        [`${FULCIO}18`]: workflowUri,
        [`${FULCIO}21`]: `https://github.com/${repository}/actions/runs/7/attempts/1`,
      },
    });
    const payloadType = "application/vnd.in-toto+json";
    const signature = sign("sha256", dsse.preAuthEncoding(payloadType, payload), leaf.privateKey);
    const envelope = { payload: b64(payload), payloadType, signatures: [{ sig: b64(signature), keyid: "" }] };
    return {
      mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
      verificationMaterial: { certificate: { rawBytes: b64(cert) }, tlogEntries: [this.#logEntry(payload, signature, cert, envelope, integratedAt)], timestampVerificationData: {} },
      dsseEnvelope: envelope,
    };
  }

  #defaults(spec: AttestationSpec) {
    return { repository: spec.repository ?? "acme/checkout", workflow: spec.workflow ?? ".github/workflows/release.yml", ref: spec.ref ?? "refs/heads/main", commit: spec.commit ?? "c0ffee".padEnd(40, "0") };
  }

  /** A Rekor `dsse` 0.0.1 entry with a signed entry timestamp and a one-leaf inclusion proof + signed checkpoint. */
  #logEntry(payload: Buffer, signature: Buffer, cert: Buffer, envelope: unknown, integratedAt: Date, log: KeyObject = this.#log.privateKey): Record<string, unknown> {
    const pem = `-----BEGIN CERTIFICATE-----\n${b64(cert)}\n-----END CERTIFICATE-----\n`;
    const body = Buffer.from(json.canonicalize({
      apiVersion: "0.0.1",
      kind: "dsse",
      spec: { envelopeHash: { algorithm: "sha256", value: createHash("sha256").update(JSON.stringify(envelope)).digest("hex") }, payloadHash: { algorithm: "sha256", value: createHash("sha256").update(payload).digest("hex") }, signatures: [{ signature: b64(signature), verifier: b64(pem) }] },
    }));
    const integratedTime = Math.floor(integratedAt.getTime() / 1000);
    const set = sign("sha256", Buffer.from(json.canonicalize({ body: b64(body), integratedTime, logIndex: 0, logID: this.#logId.toString("hex") })), log);
    const root = createHash("sha256").update(Buffer.concat([Buffer.from([0]), body])).digest();
    const note = `${LOG_ORIGIN} - 1\n1\n${b64(root)}\n`;
    const noteSignature = sign("sha256", Buffer.from(note), log);
    const checkpoint = `${note}\n\u2014 ${LOG_ORIGIN} ${b64(Buffer.concat([this.#logId.subarray(0, 4), noteSignature]))}\n`;
    return {
      logIndex: "0",
      logId: { keyId: b64(this.#logId) },
      kindVersion: { kind: "dsse", version: "0.0.1" },
      integratedTime: String(integratedTime),
      inclusionPromise: { signedEntryTimestamp: b64(set) },
      inclusionProof: { logIndex: "0", rootHash: b64(root), treeSize: "1", hashes: [], checkpoint: { envelope: checkpoint } },
      canonicalizedBody: b64(body),
    };
  }
}
