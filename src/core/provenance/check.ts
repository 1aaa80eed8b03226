import { matchGlob } from "../gates/glob.js";
import type { SignerFacts, VerifiedAttestation } from "./types.js";

/** What a verified attestation must show (the provenance gate's parameters, defaults applied). */
export interface ProvenancePolicy {
  /** owner/name. */
  repository: string;
  /** `.github/workflows/release.yml`. */
  workflow?: string;
  /** Ref patterns (`*` wildcards); any ref when absent. */
  ref?: string | string[];
  predicateType: string;
  /** Pattern for the certificate's subject alternative name. */
  signerIdentity?: string;
  issuer: string;
}

/** The facts the attestation proves, recorded in the gate's evidence. */
export interface ProvenanceEvidence {
  repository?: string;
  workflow?: string;
  ref?: string;
  commit?: string;
  predicateType?: string;
  signer?: string;
  issuer?: string;
  signedAt?: string;
  run?: string;
}

export interface ProvenanceCheck {
  ok: boolean;
  /** Why the attestation does not satisfy the policy (empty when ok). */
  reasons: string[];
  facts: ProvenanceEvidence;
}

const STATEMENT_TYPES = new Set(["https://in-toto.io/Statement/v1", "https://in-toto.io/Statement/v0.1"]);
const GITHUB = "https://github.com/";

interface Statement {
  subject: { name?: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The statement's shape, or why it is not an in-toto statement. */
export function parseStatement(value: unknown): { ok: true; statement: Statement } | { ok: false; reason: string } {
  if (!isRecord(value)) return { ok: false, reason: "the attestation payload is not a JSON object" };
  if (typeof value["_type"] !== "string" || !STATEMENT_TYPES.has(value["_type"])) return { ok: false, reason: `not an in-toto statement (_type ${JSON.stringify(value["_type"])})` };
  const subject = value["subject"];
  if (!Array.isArray(subject) || !subject.every((s) => isRecord(s) && isRecord(s["digest"]))) return { ok: false, reason: "the statement has no valid subject list" };
  if (typeof value["predicateType"] !== "string") return { ok: false, reason: "the statement has no predicateType" };
  return { ok: true, statement: { subject: subject as Statement["subject"], predicateType: value["predicateType"], predicate: value["predicate"] } };
}

function path(value: unknown, ...keys: string[]): unknown {
  let node = value;
  for (const key of keys) node = isRecord(node) ? node[key] : undefined;
  return node;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `https://github.com/o/r/.github/workflows/x.yml@refs/heads/main` → { repository: o/r, workflow, ref }. */
export function parseWorkflowUri(uri: string): { repository: string; workflow: string; ref?: string } | undefined {
  if (!uri.startsWith(GITHUB)) return undefined;
  const [location, ref] = uri.slice(GITHUB.length).split("@", 2) as [string, string | undefined];
  const match = /^([^/]+\/[^/]+)\/(\.github\/workflows\/.+)$/.exec(location);
  if (!match) return undefined;
  return { repository: match[1]!, workflow: match[2]!, ...(ref ? { ref } : {}) };
}

/**
 * The build facts: from the certificate's GitHub extensions when present (the CA issued them from the
 * workflow's OIDC token), else from the SLSA v1 predicate GitHub writes (signed, but self-reported).
 */
function buildFacts(signer: SignerFacts, predicate: unknown): Pick<ProvenanceEvidence, "repository" | "workflow" | "ref" | "commit" | "run"> {
  const config = signer.buildConfigUri ? parseWorkflowUri(signer.buildConfigUri) : undefined;
  const workflowParams = path(predicate, "buildDefinition", "externalParameters", "workflow");
  const predicateRepo = str(path(workflowParams, "repository"));
  const dependencies = path(predicate, "buildDefinition", "resolvedDependencies");
  const predicateCommit = Array.isArray(dependencies) ? str(path(dependencies[0], "digest", "gitCommit")) : undefined;
  const certRepo = signer.sourceRepositoryUri?.startsWith(GITHUB) ? signer.sourceRepositoryUri.slice(GITHUB.length) : undefined;
  const repository = certRepo ?? config?.repository ?? (predicateRepo?.startsWith(GITHUB) ? predicateRepo.slice(GITHUB.length) : predicateRepo);
  const workflow = config?.workflow ?? str(path(workflowParams, "path"));
  const ref = signer.sourceRepositoryRef ?? config?.ref ?? str(path(workflowParams, "ref"));
  const commit = signer.sourceRepositoryDigest ?? predicateCommit;
  const run = signer.runInvocationUri ?? str(path(predicate, "runDetails", "metadata", "invocationId"));
  return { ...(repository ? { repository } : {}), ...(workflow ? { workflow } : {}), ...(ref ? { ref } : {}), ...(commit ? { commit } : {}), ...(run ? { run } : {}) };
}

/**
 * Checks a signature-verified attestation against the policy: the statement names `digest` among its
 * subjects, carries the expected predicate type, was signed by a certificate from the expected issuer
 * (and identity), and was built from the expected repository, workflow and ref. When the artifact
 * declares its source commit, the attested commit must be the same. Pure and total.
 */
export function checkAttestation(attestation: VerifiedAttestation, policy: ProvenancePolicy, digest: string, sourceCommit?: string): ProvenanceCheck {
  const parsed = parseStatement(attestation.statement);
  if (!parsed.ok) return { ok: false, reasons: [parsed.reason], facts: {} };
  const { statement } = parsed;
  const { signer } = attestation;
  const facts: ProvenanceEvidence = {
    ...buildFacts(signer, statement.predicate),
    predicateType: statement.predicateType,
    ...(signer.subjectAlternativeName ? { signer: signer.subjectAlternativeName } : signer.keyHint ? { signer: `key:${signer.keyHint}` } : {}),
    ...(signer.issuer ? { issuer: signer.issuer } : {}),
    ...(attestation.signedAt ? { signedAt: attestation.signedAt } : {}),
  };
  const reasons: string[] = [];
  const [algorithm, hex] = digest.split(":", 2) as [string, string | undefined];
  if (!statement.subject.some((s) => hex !== undefined && s.digest[algorithm]?.toLowerCase() === hex.toLowerCase())) {
    reasons.push(`${digest} is not a subject of the attestation (subjects: ${statement.subject.map((s) => Object.entries(s.digest).map(([a, h]) => `${a}:${h.slice(0, 12)}…`).join(" ")).join(", ") || "none"})`);
  }
  if (statement.predicateType !== policy.predicateType) reasons.push(`predicate type is ${statement.predicateType}, expected ${policy.predicateType}`);
  if (signer.issuer !== policy.issuer) reasons.push(signer.issuer ? `signed with an identity from ${signer.issuer}, expected ${policy.issuer}` : `the signer has no OIDC issuer (expected ${policy.issuer})`);
  if (policy.signerIdentity !== undefined && !(signer.subjectAlternativeName && matchGlob(policy.signerIdentity, signer.subjectAlternativeName))) {
    reasons.push(`signer ${signer.subjectAlternativeName ?? "(none)"} does not match ${policy.signerIdentity}`);
  }
  if (facts.repository?.toLowerCase() !== policy.repository.toLowerCase()) reasons.push(`built from ${facts.repository ?? "an unknown repository"}, expected ${policy.repository}`);
  if (policy.workflow !== undefined && facts.workflow !== policy.workflow) reasons.push(`built by workflow ${facts.workflow ?? "(unknown)"}, expected ${policy.workflow}`);
  const refs = policy.ref === undefined ? [] : typeof policy.ref === "string" ? [policy.ref] : policy.ref;
  if (refs.length > 0 && !(facts.ref && refs.some((r) => matchGlob(r, facts.ref!)))) reasons.push(`built on ${facts.ref ?? "an unknown ref"}, expected ${refs.join(" or ")}`);
  if (sourceCommit && facts.commit && sourceCommit.toLowerCase() !== facts.commit.toLowerCase()) reasons.push(`attested commit ${facts.commit.slice(0, 12)} is not the artifact's source commit ${sourceCommit.slice(0, 12)}`);
  return { ok: reasons.length === 0, reasons, facts };
}
