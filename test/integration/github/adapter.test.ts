import { describe, expect, it } from "vitest";
import { GitHubEnvironmentsRepo } from "../../../src/adapters/github/environments-repo.js";
import { ConflictError, RetryableError } from "../../../src/core/errors.js";
import { promote } from "../../../src/services/promote.js";
import { FakeRepo } from "../../support/github/fake-github.js";
import { DIGEST_A, DIGEST_B, environmentsRepoFiles, SOURCE_SHA } from "../../support/github/fixtures.js";
import { createTestClient, useFakeGitHub } from "../../support/github/harness.js";

const fakeGitHub = useFakeGitHub();
const repoRef = { owner: "acme", repo: "environments" };

function request(digest = DIGEST_A, environment = "dev") {
  return { artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest, tag: "1.1.0", source: { repo: "acme/checkout", sha: SOURCE_SHA } }, environment };
}

function setupRepo(files = environmentsRepoFiles()) {
  const repo = new FakeRepo("acme/environments", files);
  repo.collaborators.set("carol", "U_carol");
  repo.teams.set("checkout-team", { id: "T_checkout", members: new Set(["dave"]) });
  repo.labels.set("promotion", "LA_promotion");
  return repo;
}

describe("GitHubEnvironmentsRepo", () => {
  it("reads config, policies and environment files in one query, skipping unrelated files", async () => {
    const fake = fakeGitHub([setupRepo()]);
    const snapshot = await new GitHubEnvironmentsRepo(createTestClient(), repoRef).readSnapshot();
    expect([...snapshot.files.keys()].sort()).toEqual([
      "environments/dev/checkout/kustomization.yaml",
      "environments/dev/payments/values.yaml",
      "environments/staging/checkout/kustomization.yaml",
      "environments/staging/payments/values.yaml",
      "policies/dev.yaml",
      "policies/staging.yaml",
      "stagegate.yaml",
    ]);
    expect(snapshot.oid).toBe(fake.repo("acme/environments").head().oid);
    expect(fake.apiRequests()).toHaveLength(1);
  });

  it("follows folders deeper than the query expands with a follow-up query", async () => {
    const files = environmentsRepoFiles();
    files["environments/dev/checkout/a/b/c/d/kustomization.yaml"] = files["environments/dev/checkout/kustomization.yaml"]!;
    const fake = fakeGitHub([setupRepo(files)]);
    const snapshot = await new GitHubEnvironmentsRepo(createTestClient(), repoRef).readSnapshot();
    expect(snapshot.files.has("environments/dev/checkout/a/b/c/d/kustomization.yaml")).toBe(true);
    expect(fake.apiRequests().map((r) => (r.kind === "graphql" ? r.name : r.path))).toEqual(["StagegateSnapshot", "StagegateSubtree"]);
  });

  it("opens a promotion in three requests: snapshot, branch+commit+PR, labels+reviewers", async () => {
    const fake = fakeGitHub([setupRepo()]);
    const repo = new GitHubEnvironmentsRepo(createTestClient(), repoRef);
    const outcome = await promote({ repo }, request());
    expect(outcome.status).toBe("opened");
    const state = fake.repo("acme/environments");
    const [pull] = state.openPulls();
    expect(pull).toMatchObject({ head: "stagegate/dev/checkout/aaaaaaaaaaaa", labels: outcome.plan.labels, requestedUserIds: ["U_carol"], requestedTeamIds: ["T_checkout"] });
    expect(outcome.plan.labels).toEqual(expect.arrayContaining(["promotion", "env:dev"]));
    const head = state.head(pull!.head);
    expect(head.parentOid).toBe(state.head().oid);
    expect(head.files.get("environments/dev/checkout/kustomization.yaml")).toContain(DIGEST_A);
    expect(head.files.get("environments/staging/checkout/kustomization.yaml")).not.toContain(DIGEST_A);
    expect(fake.apiRequests().map((r) => (r.kind === "graphql" ? `${r.name}:${r.fields.join("+")}` : r.path))).toEqual([
      "StagegateSnapshot:repository",
      "StagegateOpenPromotion:createRef+createCommitOnBranch+createPullRequest+createLabel+createLabel+createLabel",
      "StagegateDecoratePromotion:addLabelsToLabelable+requestReviews",
    ]);
  });

  it("returns the existing PR on a redelivery without writing", async () => {
    const fake = fakeGitHub([setupRepo()]);
    await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request());
    const before = fake.apiRequests().length;
    const again = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request());
    expect(again.status).toBe("exists");
    expect(fake.apiRequests().slice(before).map((r) => r.kind === "graphql" && r.operation)).toEqual(["query"]);
    expect(fake.repo("acme/environments").pulls).toHaveLength(1);
  });

  it("opens exactly one PR for ten concurrent identical deliveries", async () => {
    const fake = fakeGitHub([setupRepo()]);
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request())));
    const state = fake.repo("acme/environments");
    expect(state.pulls).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "fulfilled" && o.value.status === "opened")).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(ConflictError);
    expect(state.head(state.pulls[0]!.head).files.get("environments/dev/checkout/kustomization.yaml")).toContain(DIGEST_A);
  });

  it("supersedes the older open PR of the same lane and deletes its branch", async () => {
    const fake = fakeGitHub([setupRepo()]);
    await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request(DIGEST_A));
    const outcome = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request(DIGEST_B));
    const state = fake.repo("acme/environments");
    expect(outcome.superseded).toEqual([state.pulls[0]!.number]);
    expect(state.pulls.map((p) => p.state)).toEqual(["CLOSED", "OPEN"]);
    expect(state.pulls[0]!.comments[0]).toContain(`#${state.pulls[1]!.number}`);
    expect(state.refs.has("stagegate/dev/checkout/aaaaaaaaaaaa")).toBe(false);
  });

  it("does not write when the digest is already promoted", async () => {
    const files = environmentsRepoFiles();
    files["environments/dev/checkout/kustomization.yaml"] = files["environments/dev/checkout/kustomization.yaml"]!.replace(/sha256:0+/, DIGEST_A);
    const fake = fakeGitHub([setupRepo(files)]);
    const outcome = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request());
    expect(outcome.status).toBe("already-promoted");
    expect(fake.apiRequests().every((r) => r.kind === "graphql" && r.operation === "query")).toBe(true);
  });

  describe("failures on writes", () => {
    it.each([
      ["a 502 on the OPEN mutation", { http: { status: 502 } }],
      ["a secondary rate limit on the OPEN mutation", { http: { status: 403, headers: { "retry-after": "60" }, body: { message: "You have exceeded a secondary rate limit." } } }],
    ])("surfaces %s as retryable and the next delivery opens the PR", async (_name, fault) => {
      const fake = fakeGitHub([setupRepo()]);
      fake.faults.push({ match: (r) => r.kind === "graphql" && r.name === "StagegateOpenPromotion", ...fault });
      const error = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryableError);
      if (fault.http.status === 403) expect((error as RetryableError).retryAfterMs).toBe(60_000);
      expect(fake.repo("acme/environments").pulls).toHaveLength(0);
      const retry = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request());
      expect(retry.status).toBe("opened");
    });

    it.each([
      ["502", { status: 502 }],
      ["secondary rate limit", { status: 403, headers: { "retry-after": "120" }, body: { message: "You have exceeded a secondary rate limit." } }],
    ])("keeps the PR when labelling/reviewers fail with %s, and says so", async (_name, http) => {
      const fake = fakeGitHub([setupRepo()]);
      fake.faults.push({ match: (r) => r.kind === "graphql" && r.name === "StagegateDecoratePromotion", http });
      const error = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryableError);
      expect(fake.repo("acme/environments").openPulls()).toHaveLength(1);
      expect((await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request())).status).toBe("exists");
    });

    it("leaves the older PR open when closing it fails, and the next delivery closes it", async () => {
      const fake = fakeGitHub([setupRepo()]);
      await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request(DIGEST_A));
      fake.faults.push({ match: (r) => r.kind === "graphql" && r.name === "StagegateClosePromotion", http: { status: 502 } });
      const outcome = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request(DIGEST_B));
      const state = fake.repo("acme/environments");
      expect(outcome).toMatchObject({ status: "opened", superseded: [] });
      expect(state.pulls.map((p) => p.state)).toEqual(["OPEN", "OPEN"]);
      const again = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request(DIGEST_B));
      expect(again).toMatchObject({ status: "exists", superseded: [state.pulls[0]!.number] });
      expect(state.pulls.map((p) => p.state)).toEqual(["CLOSED", "OPEN"]);
    });

    it("repairs a branch left without commit or PR when the commit failed mid-mutation", async () => {
      const fake = fakeGitHub([setupRepo()]);
      fake.faults.push({ match: (r) => r.kind === "graphql" && r.name === "StagegateOpenPromotion", field: { name: "createCommitOnBranch", message: "Something went wrong while executing your query.", type: "INTERNAL" } });
      const error = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryableError);
      const state = fake.repo("acme/environments");
      expect(state.refs.has("stagegate/dev/checkout/aaaaaaaaaaaa")).toBe(true);
      expect(state.pulls).toHaveLength(0);
      const retry = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request());
      expect(retry.status).toBe("opened");
      expect(fake.requests.at(-2)).toMatchObject({ kind: "graphql", fields: ["updateRef", "createCommitOnBranch", "createPullRequest"] });
      expect(state.head("stagegate/dev/checkout/aaaaaaaaaaaa").files.get("environments/dev/checkout/kustomization.yaml")).toContain(DIGEST_A);
    });

    it("repairs labels when DECORATE failed after the PR was created", async () => {
      const fake = fakeGitHub([setupRepo()]);
      fake.faults.push({ match: (r) => r.kind === "graphql" && r.name === "StagegateDecoratePromotion", http: { status: 500 } });
      const error = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RetryableError);
      const state = fake.repo("acme/environments");
      expect(state.pulls[0]!.labels).toEqual([]);
      const retry = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), repoRef) }, request());
      expect(retry.status).toBe("exists");
      // promote() returns an open PR without calling openPromotion; the adapter repairs labels when asked to open it again.
      const repo = new GitHubEnvironmentsRepo(createTestClient(), repoRef);
      await repo.readSnapshot();
      const again = await repo.openPromotion(retry.plan);
      expect(again.created).toBe(false);
      expect(state.pulls[0]!.labels).toEqual(retry.plan.labels);
    });
  });
});
