import { describe, expect, it } from "vitest";
import { DIGEST_A } from "../../support/github/fixtures.js";
import { createWorld, INSTALLATION_ID, loadStagegateApp, useFakeGitHub } from "../../support/github/harness.js";
import { checkWebhookPayload, registryPackagePublished } from "../../support/github/webhooks.js";

const fakeGitHub = useFakeGitHub();

async function receive(input: { name?: string; digest?: string; tag?: string; packageType?: string } = {}) {
  const { probot } = await loadStagegateApp();
  const payload = registryPackagePublished({ owner: "acme", name: input.name ?? "checkout", digest: input.digest ?? DIGEST_A, tag: input.tag ?? "1.1.0", installationId: INSTALLATION_ID, ...(input.packageType ? { packageType: input.packageType } : {}) });
  expect(checkWebhookPayload("registry-package-published", payload)).toEqual([]);
  await probot.receive({ id: "delivery-1", name: "registry_package", payload } as never);
}

describe("registry_package published", () => {
  it("maps the GHCR image to its service and opens the promotion PR with the digest and tag", async () => {
    const fake = fakeGitHub(createWorld());
    await receive();
    const env = fake.repo("acme/environments");
    const [pull] = env.openPulls();
    expect(pull!.head).toBe("stagegate/dev/checkout/aaaaaaaaaaaa");
    const file = env.head(pull!.head).files.get("environments/dev/checkout/kustomization.yaml")!;
    expect(file).toContain(`digest: ${DIGEST_A}`);
    expect(file).toContain('newTag: "1.1.0"');
  });

  it("ignores an image no service declares, without writing", async () => {
    const fake = fakeGitHub(createWorld());
    await receive({ name: "tooling" });
    expect(fake.apiRequests().every((r) => r.kind === "graphql" && r.operation === "query")).toBe(true);
    expect(fake.repo("acme/environments").pulls).toEqual([]);
  });

  it("ignores packages that are not container images without calling GitHub", async () => {
    const fake = fakeGitHub(createWorld());
    await receive({ packageType: "npm" });
    expect(fake.requests).toEqual([]);
  });

  it("ignores a version that is not a sha256 digest", async () => {
    const fake = fakeGitHub(createWorld());
    await receive({ digest: "1.2.3" });
    expect(fake.requests).toEqual([]);
  });

  it("reports an invalid stagegate.yaml as a failed check run on the environments repo", async () => {
    const world = createWorld();
    world[0]!.push("main", { "stagegate.yaml": "version: 2\nenvironments: []\n" });
    const fake = fakeGitHub(world);
    await receive();
    const [run] = fake.repo("acme/environments").checkRuns;
    expect(run).toMatchObject({ name: "stagegate/intake", conclusion: "failure", headSha: fake.repo("acme/environments").head().oid });
    expect(run!.summary).toMatch(/stagegate\.yaml:\d+:\d+:/);
  });
});

describe("webhook fixture validation", () => {
  it("catches a fixture GitHub would not send", () => {
    const payload = registryPackagePublished({ owner: "acme", name: "checkout", digest: DIGEST_A, installationId: 1 }) as { registry_package: Record<string, unknown> };
    delete payload.registry_package.package_version;
    expect(checkWebhookPayload("registry-package-published", payload).join("\n")).toContain("package_version");
  });
});
