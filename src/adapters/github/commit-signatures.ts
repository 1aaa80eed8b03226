/**
 * GitHub's own verification of commit signatures (the "Verified" badge), for `stagegate audit --verify
 * github`: what the remote reports, with no signing key needed on the auditor's machine. Commits are
 * looked up by object id, up to {@link SIGNATURES_BATCH} per GraphQL query (`object(oid:)` aliases,
 * the ids passed as variables), a few queries at a time.
 */
import { hasTrailer, TRAILER } from "../../core/audit/trailers.js";
import { RetryableError } from "../../core/errors.js";
import type { HistoryRecord, SignatureStatus } from "../../core/audit/types.js";
import { formatRepoRef, type GitHubClient, type RepoRef } from "./client.js";
import { callGitHub } from "./errors.js";

/** Commits per query: GitHub's node limit is far away; 100 keeps each response small. */
export const SIGNATURES_BATCH = 100;

/** Queries in flight at once: well under GitHub's secondary rate limits for concurrent requests. */
const CONCURRENCY = 4;

/** Tries of one query that fails transiently (5xx, rate limits, network): an audit of 150 queries must not die of one 502. */
const ATTEMPTS = 4;

/** Longest wait before a retry (a rate limit's retry-after beyond it fails the audit instead). */
const MAX_RETRY_WAIT_MS = 60_000;

/** `call`, tried again after a transient failure: after GitHub's retry-after when it gives one, else 1, 2, 4 s. */
async function withRetries<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof RetryableError) || attempt >= ATTEMPTS) throw error;
      const wait = error.retryAfterMs ?? 1000 * 2 ** (attempt - 1);
      if (wait > MAX_RETRY_WAIT_MS) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** `GitSignatureState` of GitHub's GraphQL schema. */
export type GitHubSignatureState =
  | "VALID"
  | "INVALID"
  | "MALFORMED_SIG"
  | "UNKNOWN_KEY"
  | "BAD_EMAIL"
  | "UNVERIFIED_EMAIL"
  | "NO_USER"
  | "UNKNOWN_SIG_TYPE"
  | "UNSIGNED"
  | "GPGVERIFY_UNAVAILABLE"
  | "GPGVERIFY_ERROR"
  | "NOT_SIGNING_KEY"
  | "EXPIRED_KEY"
  | "OCSP_PENDING"
  | "OCSP_ERROR"
  | "BAD_CERT"
  | "OCSP_REVOKED";

/** What GitHub says of one commit's signature; `null` when the commit is not signed. */
export interface GitHubSignature {
  state: GitHubSignatureState;
  isValid: boolean;
  wasSignedByGitHub: boolean;
  signer?: string;
}

/**
 * GitHub's state as the audit's `%G?`-like status, with GitHub's reason for anything but a pass:
 * VALID passes (G); unsigned is N; a signature GitHub could not check now, or could not tie to a key
 * or an account of the signer, is E (it shows "Unverified"); a key expired is Y, a revoked certificate
 * R; anything else (a bad or malformed signature, a wrong email, a key not for signing) is B.
 */
export function signatureStatusOf(signature: GitHubSignature | null): { status: SignatureStatus; detail?: string } {
  if (signature === null || signature.state === "UNSIGNED") return { status: "N", detail: "GitHub: unsigned" };
  const detail = `GitHub: ${signature.state} (${STATE_MEANING[signature.state] ?? "not verified"})`;
  switch (signature.state) {
    case "VALID":
      return { status: "G" };
    case "UNKNOWN_KEY":
    case "NO_USER":
    case "UNVERIFIED_EMAIL":
    case "GPGVERIFY_UNAVAILABLE":
    case "GPGVERIFY_ERROR":
    case "OCSP_PENDING":
    case "OCSP_ERROR":
      return { status: "E", detail };
    case "EXPIRED_KEY":
      return { status: "Y", detail };
    case "OCSP_REVOKED":
      return { status: "R", detail };
    default:
      return { status: "B", detail };
  }
}

/** The schema's descriptions of the states, shortened: what the finding says. */
const STATE_MEANING: Partial<Record<GitHubSignatureState, string>> = {
  INVALID: "invalid signature",
  MALFORMED_SIG: "malformed signature",
  UNKNOWN_KEY: "key not known to GitHub",
  BAD_EMAIL: "invalid email used for signing",
  UNVERIFIED_EMAIL: "signing email not verified on GitHub",
  NO_USER: "signing email not known to GitHub",
  UNKNOWN_SIG_TYPE: "unknown signature type",
  GPGVERIFY_UNAVAILABLE: "GitHub's verification service was unavailable",
  GPGVERIFY_ERROR: "GitHub's verification service failed",
  NOT_SIGNING_KEY: "the key may not sign",
  EXPIRED_KEY: "signing key expired",
  OCSP_PENDING: "certificate revocation check pending",
  OCSP_ERROR: "certificate revocation check failed",
  BAD_CERT: "signing certificate could not be verified",
  OCSP_REVOKED: "a certificate in the chain was revoked",
};

const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The query for `count` commits: `c0`…`cN` aliases of `object(oid: $cN)`. */
export function signaturesQuery(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$c${i}: GitObjectID!`).join(", ");
  const fields = Array.from({ length: count }, (_, i) => `c${i}: object(oid: $c${i}) { ... on Commit { oid signature { state isValid wasSignedByGitHub signer { login } } } }`).join(" ");
  return `query StagegateSignatures($owner: String!, $name: String!, ${variables}) { repository(owner: $owner, name: $name) { ${fields} } }`;
}

interface RawObject {
  oid?: string;
  signature?: { state: GitHubSignatureState; isValid: boolean; wasSignedByGitHub: boolean; signer: { login: string } | null } | null;
}

/**
 * GitHub's signature of each commit in `shas` that the repository has (`null`: not signed). A commit
 * GitHub does not have (not pushed, or another repository's) is absent from the map. Throws a
 * StagegateError when the repository cannot be read.
 */
export async function readGitHubSignatures(client: GitHubClient, repo: RepoRef, shas: readonly string[]): Promise<Map<string, GitHubSignature | null>> {
  const unique = [...new Set(shas)];
  const bad = unique.find((sha) => !OID.test(sha));
  if (bad !== undefined) throw new Error(`not a commit id: ${JSON.stringify(bad.slice(0, 80))}`);
  const batches: string[][] = [];
  for (let i = 0; i < unique.length; i += SIGNATURES_BATCH) batches.push(unique.slice(i, i + SIGNATURES_BATCH));
  const found = new Map<string, GitHubSignature | null>();
  let next = 0;
  let failed = false;
  const worker = async () => {
    // Once one query failed for good, the others start no new one.
    for (let batch = batches[next++]; batch && !failed; batch = batches[next++]) {
      const variables: Record<string, string> = { owner: repo.owner, name: repo.repo };
      batch.forEach((sha, i) => (variables[`c${i}`] = sha));
      const data = await withRetries(() =>
        callGitHub({ operation: "readSignatures", repo: formatRepoRef(repo) }, () => client.graphql<{ repository: Record<string, RawObject | null> | null }>(signaturesQuery(batch.length), variables)),
      ).catch((error: unknown) => {
        failed = true;
        throw error;
      });
      if (!data.repository) throw new Error(`GitHub has no repository ${formatRepoRef(repo)} (or the token cannot read it)`);
      batch.forEach((sha, i) => {
        const object = data.repository![`c${i}`];
        // Null: no such object; no oid: an object that is not a commit.
        if (!object || object.oid !== sha || object.signature === undefined) return;
        const s = object.signature;
        found.set(sha, s === null ? null : { state: s.state, isValid: s.isValid, wasSignedByGitHub: s.wasSignedByGitHub, ...(s.signer ? { signer: s.signer.login } : {}) });
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, batches.length) }, worker));
  return found;
}

/**
 * Whether the audit shows or judges a commit's signature: a promotion commit (Stagegate's trailers: the
 * signature findings), or a commit of the branch's own history that changed what runs (the rows'
 * signature column; every one of them when the digests could not be computed). Base updates merged
 * into PR branches and commits that changed nothing that runs are not asked about.
 */
function needsSignature(record: HistoryRecord): boolean {
  if (hasTrailer(record.trailers, TRAILER.service)) return true;
  return record.firstParent && (record.changes === undefined || record.changes.length > 0);
}

/**
 * Sets each record's signature to GitHub's verdict (`--verify github`), for the records whose signature
 * the audit uses ({@link needsSignature}). A promotion commit GitHub does
 * not have is marked as not checkable (E, with the reason), never left blank: the audit was asked to
 * verify every one. Returns the warnings to show (every commit missing: probably the wrong repository).
 */
export async function verifyOnGitHub(all: HistoryRecord[], client: GitHubClient, repo: RepoRef): Promise<string[]> {
  const records = all.filter(needsSignature);
  const signatures = await readGitHubSignatures(client, repo, records.map((r) => r.sha));
  let absent = 0;
  for (const record of records) {
    const signature = signatures.get(record.sha);
    if (signature === undefined) {
      absent++;
      if (hasTrailer(record.trailers, TRAILER.service)) [record.signature, record.signatureDetail] = ["E", `not on GitHub's ${formatRepoRef(repo)}`];
      continue;
    }
    const { status, detail } = signatureStatusOf(signature);
    record.signature = status;
    if (detail) record.signatureDetail = detail;
  }
  if (absent === 0) return [];
  if (absent === records.length) return [`none of the ${records.length} commits audited is in GitHub's ${formatRepoRef(repo)}: is it this clone's repository? (--github-repo OWNER/NAME)`];
  return [`${absent} of the ${records.length} commits audited are not in GitHub's ${formatRepoRef(repo)} (not pushed?): their signatures were not checked`];
}
