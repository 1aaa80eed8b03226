import { describe, expect, it } from "vitest";
import { DIGEST_A, SOURCE_SHA } from "../../support/github/fixtures.js";
import { createWorld, INSTALLATION_ID, loadStagegateApp, useFakeGitHub } from "../../support/github/harness.js";
import { repositoryDispatch } from "../../support/github/webhooks.js";

const fakeGitHub = useFakeGitHub();

const artifact = (overrides: Record<string, unknown> = {}) => ({
  service: "checkout",
  image: "ghcr.io/acme/checkout",
  digest: DIGEST_A,
  tag: "1.1.0",
  source: { repo: "acme/checkout", sha: SOURCE_SHA },
  buildUrl: "https://github.com/acme/checkout/actions/runs/1",
  ...overrides,
});

async function receive(clientPayload: unknown, options: { environmentsRepo?: string; eventType?: string } = {}) {
  const { probot } = await loadStagegateApp(options.environmentsRepo ? { environmentsRepo: options.environmentsRepo } : {});
  const payload = repositoryDispatch("acme/checkout", INSTALLATION_ID, clientPayload, options.eventType);
  return probot.receive({ id: "delivery-1", name: "repository_dispatch", payload } as never);
}

describe("repository_dispatch stagegate.artifact", () => {
  it("routes from the source repo to <owner>/environments and opens the promotion PR in the entry environment", async () => {
    const fake = fakeGitHub(createWorld());
    await receive(artifact());
    const pulls = fake.repo("acme/environments").openPulls();
    expect(pulls.map((p) => p.head)).toEqual(["stagegate/dev/checkout/aaaaaaaaaaaa"]);
    expect(fake.apiRequests().map((r) => (r.kind === "graphql" ? r.name : `${r.method} ${r.path}`))).toEqual([
      "StagegateProbe",
      "StagegateSnapshot",
      "StagegateOpenPromotion",
      "StagegateDecoratePromotion",
    ]);
  });

  it("uses STAGEGATE_ENVIRONMENTS_REPO without probing and honours an explicit environment", async () => {
    const fake = fakeGitHub(createWorld());
    await receive(artifact({ environment: "staging" }), { environmentsRepo: "acme/environments" });
    expect(fake.repo("acme/environments").openPulls().map((p) => p.head)).toEqual(["stagegate/staging/checkout/aaaaaaaaaaaa"]);
    expect(fake.apiRequests().some((r) => r.kind === "graphql" && r.name === "StagegateProbe")).toBe(false);
  });

  it("ignores other event types without calling GitHub", async () => {
    const fake = fakeGitHub(createWorld());
    await receive(artifact(), { eventType: "deploy" });
    expect(fake.requests).toEqual([]);
  });

  it.each([
    ["a digest that is not sha256 + 64 hex", { digest: "sha256:abc" }, "digest"],
    ["a path-traversing service name", { service: "../../etc/passwd" }, "service"],
    ["an unknown field", { servce: "checkout" }, "servce"],
  ])("refuses %s with a failed stagegate/intake check run on the dispatching repo's head", async (_name, overrides, field) => {
    const fake = fakeGitHub(createWorld());
    await receive(artifact(overrides));
    const [run] = fake.repo("acme/checkout").checkRuns;
    expect(run).toMatchObject({ name: "stagegate/intake", headSha: fake.repo("acme/checkout").head().oid, conclusion: "failure", title: "Invalid stagegate.artifact payload" });
    expect(run!.summary).toContain(field);
    expect(fake.repo("acme/environments").pulls).toEqual([]);
  });

  it("reports an unknown service with the declared ones", async () => {
    const fake = fakeGitHub(createWorld());
    await receive(artifact({ service: "billing", image: undefined }));
    const [run] = fake.repo("acme/checkout").checkRuns;
    expect(run).toMatchObject({ conclusion: "failure", title: "Not found" });
    expect(run!.summary).toContain('unknown service "billing"; stagegate.yaml declares: checkout, payments');
  });

  it("reports an unknown environment on the artifact's source commit", async () => {
    const fake = fakeGitHub(createWorld());
    await receive(artifact({ environment: "prod" }), { environmentsRepo: "acme/environments" });
    const [run] = fake.repo("acme/checkout").checkRuns;
    expect(run).toMatchObject({ headSha: SOURCE_SHA, title: "Not found" });
    expect(run!.summary).toContain('unknown environment "prod"');
  });

  it("surfaces a GitHub 502 on the write, reports it, and a redelivery opens the PR", async () => {
    const fake = fakeGitHub(createWorld());
    fake.faults.push({ match: (r) => r.kind === "graphql" && r.name === "StagegateOpenPromotion", http: { status: 502 } });
    await expect(receive(artifact())).rejects.toThrow(/502/);
    expect(fake.repo("acme/checkout").checkRuns[0]).toMatchObject({ title: "GitHub is temporarily failing" });
    expect(fake.repo("acme/environments").pulls).toEqual([]);
    await receive(artifact());
    expect(fake.repo("acme/environments").openPulls()).toHaveLength(1);
  });

  it("opens one PR for ten parallel identical deliveries", async () => {
    const fake = fakeGitHub(createWorld());
    const { probot } = await loadStagegateApp({ environmentsRepo: "acme/environments" });
    const payload = repositoryDispatch("acme/checkout", INSTALLATION_ID, artifact());
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => probot.receive({ id: `delivery-${i}`, name: "repository_dispatch", payload } as never)));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(fake.repo("acme/environments").pulls).toHaveLength(1);
    expect(fake.repo("acme/checkout").checkRuns).toEqual([]);
  });
});
