import type { GitHubClient } from "../github/client.js";
import { parseRepoRef } from "../github/client.js";

/** One attestation as `GET /repos/{owner}/{repo}/attestations/{subject_digest}` returns it. */
export interface ListedAttestation {
  /** The Sigstore bundle (JSON); absent when GitHub only links it. */
  bundle?: unknown;
  bundleUrl?: string;
  repositoryId?: number;
}

/** Lists attestations of a digest in a repository. */
export type AttestationsSource = (repository: string, digest: string) => Promise<ListedAttestation[]>;

/** At most this many attestations are read per digest (one page); a build rarely has more than a few. */
const PER_PAGE = 30;

/**
 * Reads GitHub artifact attestations of `digest` from `repository` (needs the `attestations: read`
 * permission on it). A digest without attestations answers 404, which is an empty list here.
 */
export function githubAttestations(octokit: Pick<GitHubClient, "request">): AttestationsSource {
  return async (repository, digest) => {
    const ref = parseRepoRef(repository);
    if (!ref) throw new Error(`not a repository: ${repository}`);
    try {
      const response = await octokit.request("GET /repos/{owner}/{repo}/attestations/{subject_digest}", { ...ref, subject_digest: digest, per_page: PER_PAGE });
      return (response.data.attestations ?? []).map((a) => ({
        ...(a.bundle ? { bundle: a.bundle as unknown } : {}),
        ...(a.bundle_url ? { bundleUrl: a.bundle_url } : {}),
        ...(a.repository_id !== undefined ? { repositoryId: a.repository_id } : {}),
      }));
    } catch (error) {
      if ((error as { status?: unknown }).status === 404) return [];
      throw error;
    }
  };
}
