// GitHub's signature states as the audit's statuses, checked against every state GitHub's published
// schema lists; and the GitHub repository read from a remote URL (only on the expected host).
import { schema } from "@octokit/graphql-schema";
import { describe, expect, it } from "vitest";
import { gitHubHost, parseRemoteUrl } from "../../../src/adapters/git/github-remote.js";
import { signatureStatusOf, signaturesQuery, type GitHubSignatureState } from "../../../src/adapters/github/commit-signatures.js";
import { checkGraphqlRequest } from "../../support/github/graphql-contract.js";

const schemaStates = (): GitHubSignatureState[] => {
  const types = (schema.json as unknown as { __schema: { types: { name: string; enumValues?: { name: string }[] }[] } }).__schema.types;
  return types.find((t) => t.name === "GitSignatureState")!.enumValues!.map((v) => v.name as GitHubSignatureState);
};
const signed = (state: GitHubSignatureState) => ({ state, isValid: state === "VALID", wasSignedByGitHub: false });

describe("signatureStatusOf", () => {
  it("passes only VALID, and gives GitHub's reason for every other state the schema lists", () => {
    const states = schemaStates();
    expect(states.length).toBeGreaterThanOrEqual(17);
    for (const state of states) {
      const { status, detail } = signatureStatusOf(signed(state));
      if (state === "VALID") expect({ status, detail }).toEqual({ status: "G", detail: undefined });
      else {
        expect(status, state).not.toBe("G");
        expect(status, state).not.toBe("U");
        // A reason of its own, not the fallback.
        expect(detail, state).toMatch(new RegExp(`^GitHub: ${state === "UNSIGNED" ? "unsigned" : `${state} \\((?!not verified\\))`}`));
      }
    }
  });

  it("maps unsigned to N, keys GitHub cannot tie or check now to E, an expired key to Y, a revocation to R, the rest to B", () => {
    expect(signatureStatusOf(null)).toEqual({ status: "N", detail: "GitHub: unsigned" });
    const status = (state: GitHubSignatureState) => signatureStatusOf(signed(state)).status;
    expect(["UNKNOWN_KEY", "NO_USER", "UNVERIFIED_EMAIL", "GPGVERIFY_UNAVAILABLE", "GPGVERIFY_ERROR", "OCSP_PENDING", "OCSP_ERROR"].map((s) => status(s as GitHubSignatureState))).toEqual(Array(7).fill("E"));
    expect(status("EXPIRED_KEY")).toBe("Y");
    expect(status("OCSP_REVOKED")).toBe("R");
    expect(["INVALID", "MALFORMED_SIG", "BAD_EMAIL", "UNKNOWN_SIG_TYPE", "NOT_SIGNING_KEY", "BAD_CERT"].map((s) => status(s as GitHubSignatureState))).toEqual(Array(6).fill("B"));
  });

  it("asks for them in a query GitHub's schema accepts", () => {
    const variables = { owner: "acme", name: "envs", c0: "a".repeat(40), c1: "b".repeat(64) };
    expect(checkGraphqlRequest(signaturesQuery(2), variables)).toEqual([]);
  });
});

describe("parseRemoteUrl", () => {
  it.each([
    ["https://github.com/acme/envs.git", "github.com"],
    ["https://x-access-token:ghs_abc@github.com/acme/envs", "github.com"],
    ["git@github.com:acme/envs.git", "github.com"],
    ["ssh://git@GitHub.com:22/acme/envs.git/", "github.com"],
    ["git://ghe.example.com/acme/envs", "ghe.example.com"],
  ])("%s", (url, host) => {
    expect(parseRemoteUrl(url)).toEqual({ host, owner: "acme", repo: "envs" });
  });

  it.each(["/srv/git/envs.git", "file:///srv/git/acme/envs.git", "https://github.com/acme", "https://github.com/acme/envs/tree/main", "C:/repos/acme/envs", "ext::ssh -o x github.com/acme/envs"])("refuses %s", (url) => {
    expect(parseRemoteUrl(url)).toBeUndefined();
  });
});

describe("gitHubHost", () => {
  it("follows GITHUB_SERVER_URL, GHE_HOST, then GITHUB_API_URL, else github.com", () => {
    expect(gitHubHost({})).toBe("github.com");
    expect(gitHubHost({ GITHUB_API_URL: "https://api.github.com" })).toBe("github.com");
    expect(gitHubHost({ GITHUB_API_URL: "https://GHE.example.com/api/v3" })).toBe("ghe.example.com");
    expect(gitHubHost({ GHE_HOST: "ghe.example.com", GITHUB_API_URL: "https://other.example/api/v3" })).toBe("ghe.example.com");
    expect(gitHubHost({ GITHUB_SERVER_URL: "https://github.com", GHE_HOST: "ghe.example.com" })).toBe("github.com");
  });
});
