// `stagegate audit --verify github`: GitHub's verification of each commit (its "Verified" badge), asked
// through GraphQL for a real git history whose origin is a github.com URL. GitHub is nock: each request
// is checked against GitHub's published schema and answered from a table of states by commit id.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRepository, runAudit, UsageError } from "../../../src/cli/commands/audit.js";
import { renderMarkdown } from "../../../src/core/audit/render-text.js";
import { hasTrailer, TRAILER } from "../../../src/core/audit/trailers.js";
import { checkGraphqlRequest } from "../../support/github/graphql-contract.js";
import { digestOf, HistoryBuilder } from "../../support/history-builder.js";

let dir: string;
let repo: string;
/** Commit id → what GitHub answers for it: a state, "unsigned" (signature null), or "absent" (object null). */
let states: Map<string, string>;
let promotionCommits: string[];
const git = (args: string[]) => execFileSync("git", args, { cwd: repo }).toString().trim();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-verify-github-"));
  repo = join(dir, "envs");
  const builder = new HistoryBuilder([{ name: "prod" }], [{ name: "api", image: "ghcr.io/acme/api" }]);
  const t0 = Date.parse("2024-06-03T00:00:00Z");
  builder.init(new Date(t0), { prod: { api: digestOf(1) } });
  // 80 promotions, half merge-style: 81 first-parent commits and 40 merged heads, more than one query of 100.
  for (let i = 0; i < 80; i++) builder.promote({ env: "prod", service: "api", digest: digestOf(10 + i), at: new Date(t0 + (i + 1) * 3_600_000), style: i % 2 ? "squash" : "merge", approvers: ["alice"] });
  builder.write(repo);
  git(["remote", "add", "origin", "https://x-access-token:ghs_secret@github.com/acme/envs.git"]);
  const all = git(["rev-list", "--all"]).split("\n");
  promotionCommits = git(["log", "--all", "--format=%H", "--grep=^Stagegate-Service:"]).split("\n");
  states = new Map(all.map((sha) => [sha, "VALID"]));
  // Four promotion commits GitHub does not verify, each for another reason, and one it does not have.
  const [unsigned, badEmail, unknownKey, revoked, absent] = promotionCommits;
  states.set(unsigned!, "unsigned").set(badEmail!, "BAD_EMAIL").set(unknownKey!, "UNKNOWN_KEY").set(revoked!, "OCSP_REVOKED").set(absent!, "absent");
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Answers StagegateSignatures queries from `states`; returns the commit ids each request asked for. */
function fakeGitHub(baseUrl = "https://api.github.com", path = "/graphql"): string[][] {
  const asked: string[][] = [];
  nock(baseUrl)
    .persist()
    .post(path)
    .reply(200, (_uri, body) => {
      const { query, variables } = body as { query: string; variables: Record<string, string> };
      expect(checkGraphqlRequest(query, variables)).toEqual([]);
      expect(variables).toMatchObject({ owner: "acme", name: "envs" });
      const ids = Object.entries(variables).filter(([key]) => /^c\d+$/.test(key));
      asked.push(ids.map(([, sha]) => sha));
      const repository: Record<string, unknown> = {};
      for (const [alias, sha] of ids) {
        const state = states.get(sha) ?? "absent";
        if (state === "absent") repository[alias] = null;
        else repository[alias] = { oid: sha, signature: state === "unsigned" ? null : { state, isValid: state === "VALID", wasSignedByGitHub: true, signer: { login: "web-flow" } } };
      }
      return { data: { repository } };
    });
  return asked;
}

describe("stagegate audit --verify github", () => {
  it("reports GitHub's verdict on every promotion commit, each commit asked once, 100 per query", async () => {
    const asked = fakeGitHub();
    const { history, result } = await auditRepository({ repo, verify: "github" }, undefined, { env: { GITHUB_TOKEN: "ghs_test" } });
    const audited = history.records.map((r) => r.sha);
    expect(asked.map((ids) => ids.length)).toEqual([100, audited.length - 100]);
    expect(asked.flat().sort()).toEqual([...audited].sort());

    const [unsigned, badEmail, unknownKey, revoked, absent] = promotionCommits;
    const found = (sha: string | undefined) => result.findings.filter((f) => f.commit === sha).map((f) => [f.kind, f.severity, f.message]);
    expect(found(unsigned)).toEqual([["unsigned", "medium", expect.stringMatching(/is not signed$/)]]);
    expect(found(badEmail)).toEqual([["bad-signature", "high", expect.stringMatching(/has a bad signature: GitHub: BAD_EMAIL \(invalid email used for signing\)$/)]]);
    expect(found(unknownKey)).toEqual([["bad-signature", "medium", expect.stringMatching(/cannot be checked .*: GitHub: UNKNOWN_KEY \(key not known to GitHub\)$/)]]);
    expect(found(revoked)).toEqual([["bad-signature", "medium", expect.stringMatching(/revoked key: GitHub: OCSP_REVOKED/)]]);
    expect(found(absent)).toEqual([["bad-signature", "medium", expect.stringMatching(/cannot be checked .*: not on GitHub's acme\/envs$/)]]);
    // Nothing else: every other promotion commit is VALID.
    expect(result.findings.filter((f) => f.kind === "unsigned" || f.kind === "bad-signature")).toHaveLength(5);
    expect(history.records.filter((r) => hasTrailer(r.trailers, TRAILER.service))).toHaveLength(80);
    expect(audited).toHaveLength(121);

    expect(result.summary.signatures).toBe("github");
    expect(result.summary.warnings).toContainEqual("1 of the 121 commits audited are not in GitHub's acme/envs (not pushed?): their signatures were not checked");
    expect(renderMarkdown(result)).toContain("Signatures checked by GitHub (its Verified badge).");
    // The row of each promotion shows the status GitHub's state maps to.
    expect(result.rows.find((r) => r.promotionCommit === badEmail || r.commit === badEmail)?.signature).toBe("B");
  });

  it("takes the repository from --github-repo, and the API from GITHUB_API_URL (GitHub Enterprise Server: GraphQL at /api/graphql)", async () => {
    const asked = fakeGitHub("https://ghe.example.com", "/api/graphql");
    // origin names github.com: with --github-repo the remote is not read.
    const { result } = await auditRepository({ repo, verify: "github", githubRepo: "acme/envs" }, undefined, { env: { GITHUB_TOKEN: "ghs_test", GITHUB_API_URL: "https://ghe.example.com/api/v3" } });
    expect(asked.length).toBe(2);
    expect(result.summary.signatures).toBe("github");
  });

  it("tries a query again after a transient failure, and stops at once on a refused token", async () => {
    nock("https://api.github.com").post("/graphql").reply(502, "Bad Gateway", { "retry-after": "0" });
    const asked = fakeGitHub();
    const { result } = await auditRepository({ repo, verify: "github" }, undefined, { env: { GITHUB_TOKEN: "ghs_test" } });
    expect(asked.flat()).toHaveLength(121);
    expect(result.findings.filter((f) => f.kind === "bad-signature" || f.kind === "unsigned")).toHaveLength(5);
    nock.cleanAll();

    const refused = nock("https://api.github.com").post("/graphql").times(2).reply(401, { message: "Bad credentials" });
    await expect(auditRepository({ repo, verify: "github" }, undefined, { env: { GITHUB_TOKEN: "ghs_revoked" } })).rejects.toThrow(/readSignatures failed \(HTTP 401\)/);
    // Two queries started together (121 commits); neither was tried again.
    expect(refused.isDone()).toBe(true);
  });

  it("asks only about the commits whose signature the audit uses: not a commit that changed nothing that runs", async () => {
    const choresRepo = join(dir, "chores");
    const builder = new HistoryBuilder([{ name: "prod" }], [{ name: "api", image: "ghcr.io/acme/api" }]);
    const t0 = Date.parse("2024-06-03T00:00:00Z");
    builder.init(new Date(t0), { prod: { api: digestOf(1) } });
    builder.promote({ env: "prod", service: "api", digest: digestOf(2), at: new Date(t0 + 3_600_000), style: "merge", approvers: ["alice"] });
    builder.chore(new Date(t0 + 7_200_000));
    builder.promote({ env: "prod", service: "api", digest: digestOf(3), at: new Date(t0 + 10_800_000), style: "squash", approvers: ["alice"] });
    builder.write(choresRepo);
    execFileSync("git", ["remote", "add", "origin", "https://github.com/acme/envs.git"], { cwd: choresRepo });
    const chore = execFileSync("git", ["log", "-1", "--format=%H", "--grep=^docs$", "main"], { cwd: choresRepo }).toString().trim();
    const asked = fakeGitHub();
    const { history, result } = await auditRepository({ repo: choresRepo, verify: "github" }, undefined, { env: { GITHUB_TOKEN: "ghs_test" } });
    // init, the merge and its promotion commit, the squash; not the docs commit.
    expect(asked.flat()).toHaveLength(history.records.length - 1);
    expect(asked.flat()).not.toContain(chore);
    expect(result.rows.every((row) => row.signature !== undefined)).toBe(true);
  });

  it("says when no commit is in the repository GitHub was asked about", async () => {
    const saved = states;
    states = new Map();
    fakeGitHub();
    try {
      const { result } = await auditRepository({ repo, verify: "github" }, undefined, { env: { GITHUB_TOKEN: "ghs_test" } });
      expect(result.summary.warnings).toContainEqual("none of the 121 commits audited is in GitHub's acme/envs: is it this clone's repository? (--github-repo OWNER/NAME)");
      expect(result.findings.filter((f) => f.kind === "bad-signature")).toHaveLength(80);
    } finally {
      states = saved;
    }
  });

  it("refuses, before reading any history, a remote on another host, a bad --github-repo, no credentials, or an unknown source", async () => {
    const other = join(dir, "elsewhere");
    execFileSync("git", ["clone", "-q", repo, other]);
    execFileSync("git", ["remote", "set-url", "origin", "git@gitlab.com:acme/envs.git"], { cwd: other });
    const env = { env: { GITHUB_TOKEN: "ghs_test" } };
    await expect(auditRepository({ repo: other, verify: "github" }, undefined, env)).rejects.toThrow(new UsageError("--verify github: origin is on gitlab.com, not github.com: name the repository with --github-repo OWNER/NAME (and GHE_HOST or GITHUB_API_URL for GitHub Enterprise Server)"));
    await expect(auditRepository({ repo, verify: "github", githubRepo: "not a repo" }, undefined, env)).rejects.toThrow(UsageError);
    await expect(auditRepository({ repo, verify: "github" }, undefined, { env: {} })).rejects.toThrow(/set GITHUB_TOKEN/);
    await expect(auditRepository({ repo, verify: "gpg" })).rejects.toThrow('--verify takes git or github (got "gpg")');
    // Credentials in the remote's URL appear in no message.
    execFileSync("git", ["remote", "set-url", "origin", "https://ci:s3cret-token@gitlab.com/acme/envs.git"], { cwd: other });
    const error = await runAudit({ repo: other, verify: "github" }, () => undefined, () => undefined, env).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect(String(error)).toContain("origin is on gitlab.com");
    expect(String(error)).not.toContain("s3cret");
  });
});
