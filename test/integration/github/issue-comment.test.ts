import { describe, expect, it } from "vitest";
import { DIGEST_A, DIGEST_B, environmentsRepoFiles } from "../../support/github/fixtures.js";
import { createWorld, INSTALLATION_ID, loadStagegateApp, useFakeGitHub } from "../../support/github/harness.js";
import { issueComment } from "../../support/github/webhooks.js";

const fakeGitHub = useFakeGitHub();

async function comment(body: string, login = "alice", senderType = "User") {
  const { probot } = await loadStagegateApp();
  await probot.receive({ id: "delivery-1", name: "issue_comment", payload: issueComment("acme/environments", INSTALLATION_ID, body, login, senderType) } as never);
}

describe("/stagegate promote comments", () => {
  it("lets a promoter (user) promote a digest: 👀, PR, 🚀 and a reply with the PR link", async () => {
    const fake = fakeGitHub(createWorld());
    await comment(`Ship it\n/stagegate promote checkout ${DIGEST_A} to dev`);
    const env = fake.repo("acme/environments");
    expect(env.openPulls().map((p) => p.head)).toEqual(["stagegate/dev/checkout/aaaaaaaaaaaa"]);
    expect(env.reactions.map((r) => r.content)).toEqual(["eyes", "rocket"]);
    expect(env.issueComments[0]!.body).toMatch(/^@alice promoting `checkout`.*\n\n- \*\*dev\*\*: opened promotion PR #\d+ \(https:\/\/github.com\/acme\/environments\/pull\/\d+\)/s);
  });

  it("lets a member of a promoter team promote (team membership API)", async () => {
    const fake = fakeGitHub(createWorld());
    await comment(`/stagegate promote checkout ${DIGEST_A} to staging`, "rita");
    expect(fake.repo("acme/environments").openPulls()).toHaveLength(1);
    expect(fake.requests.some((r) => r.kind === "rest" && r.path === "/orgs/acme/teams/release-managers/memberships/rita")).toBe(true);
  });

  it("refuses someone who is not a promoter, saying who may", async () => {
    const fake = fakeGitHub(createWorld());
    await comment(`/stagegate promote checkout ${DIGEST_A} to staging`, "mallory");
    const env = fake.repo("acme/environments");
    expect(env.pulls).toEqual([]);
    expect(env.reactions.map((r) => r.content)).toEqual(["eyes", "confused"]);
    expect(env.issueComments[0]!.body).toContain("@mallory may not promote into staging: only @acme/release-managers may");
  });

  it("resolves a tag to the digest deployed upstream under that tag", async () => {
    const files = environmentsRepoFiles();
    files["environments/dev/checkout/kustomization.yaml"] = files["environments/dev/checkout/kustomization.yaml"]!.replace('"1.0.0"', '"1.2.0"').replace(/sha256:0+/, DIGEST_B);
    const fake = fakeGitHub(createWorld(files));
    await comment("/stagegate promote checkout 1.2.0 to staging", "rita");
    const env = fake.repo("acme/environments");
    expect(env.openPulls().map((p) => p.head)).toEqual(["stagegate/staging/checkout/bbbbbbbbbbbb"]);
  });

  it("explains a tag that is not deployed upstream", async () => {
    const fake = fakeGitHub(createWorld());
    await comment("/stagegate promote checkout 9.9.9 to staging", "rita");
    expect(fake.repo("acme/environments").issueComments[0]!.body).toContain("tag 9.9.9 of checkout is not deployed in dev; name a digest instead");
  });

  it.each([
    ["a malformed command", "/stagegate promote checkout", "usage:"],
    ["a short digest", "/stagegate promote checkout sha256:abc to dev", "64 lowercase hex"],
    ["a path-traversing environment", `/stagegate promote checkout ${DIGEST_A} to ../prod`, "not a valid environment name"],
  ])("answers %s with the usage, without reading the repo", async (_name, body, expected) => {
    const fake = fakeGitHub(createWorld());
    await comment(body);
    const env = fake.repo("acme/environments");
    expect(env.issueComments[0]!.body).toContain(expected);
    expect(env.reactions.map((r) => r.content)).toEqual(["confused"]);
    expect(fake.requests.some((r) => r.kind === "graphql")).toBe(false);
  });

  it("ignores comments without a command and comments by bots", async () => {
    const fake = fakeGitHub(createWorld());
    await comment("LGTM");
    await comment(`/stagegate promote checkout ${DIGEST_A} to dev`, "renovate[bot]", "Bot");
    expect(fake.requests).toEqual([]);
  });
});
