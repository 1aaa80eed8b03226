// The GitHub App checks a policy's verification.health itself: a deployment the deployer reports
// successful is verified only once the readiness URL answers as `expect` says, through the SSRF guard.
// (The handlers are registered without a health prober, as the App registers them.)
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { deliver, DIGEST_A, ENV_REPO, loadLifecycleApp, openPromotion, pullRequestEvent, statusEvent, worldWithPolicy } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();
let server: Server;
let base: string;
let ready = true;
const asked: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? "");
    res.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
    res.end(JSON.stringify({ ready }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** dev's policy with a readiness check at `url`. */
function worldWithHealth(url: string, allowPrivateNetwork = true) {
  return worldWithPolicy("dev", `version: 1
merge:
  mode: auto
  method: squash
verification:
  statuses: ["argocd/*"]
  timeout: 30m
  health:
    url: "${url}"
    expect: status == 200 && body.ready == true
    attempts: 3
    interval: 1m
    allowPrivateNetwork: ${allowPrivateNetwork}
`);
}

/** Promotes checkout into dev, lets the app auto-merge it, and has Argo CD report the sync: the dev deployment's statuses. */
async function deployToDev(url: string, allowPrivateNetwork = true) {
  const fake = fakeGitHub(worldWithHealth(url, allowPrivateNetwork));
  const { probot } = await loadLifecycleApp(fake);
  const number = await openPromotion("dev", { tag: "1.1.0" });
  await deliver(probot, "pull_request", pullRequestEvent(fake, number));
  const merge = fake.state(ENV_REPO).merged.get(number)!.sha;
  await deliver(probot, "status", statusEvent(ENV_REPO, merge, "argocd/shop-dev", "success", "Sync succeeded"));
  return { fake, statuses: () => fake.state(ENV_REPO).deployments[0]!.statuses.map((s) => [s.state, s.description]) };
}

describe("verification.health in the GitHub App", () => {
  it("verifies a deployment once its readiness URL answers as expected (the URL's placeholders filled in)", async () => {
    ready = true;
    asked.length = 0;
    const { statuses, fake } = await deployToDev(`${base}/{{env}}/{{service}}/ready?digest={{digest}}`);
    expect(asked).toEqual([`/dev/checkout/ready?digest=${encodeURIComponent(DIGEST_A)}`]);
    expect(statuses().at(-1)).toEqual(["success", expect.stringMatching(/^Verified healthy: http:\/\/127\.0\.0\.1:\d+\/dev\/checkout\/ready\?digest=sha256%3Aa{20}/)]);
    // Verified: the next stages' PRs open.
    expect(fake.repo(ENV_REPO).openPulls().map((p) => p.head).sort()).toEqual([`stagegate/perf/checkout/${"a".repeat(12)}`, `stagegate/staging/checkout/${"a".repeat(12)}`]);
  });

  it("keeps a deployment whose readiness URL does not answer as expected in progress, with the reason", async () => {
    ready = false;
    const { statuses, fake } = await deployToDev(`${base}/{{env}}/ready`);
    expect(statuses().at(-1)).toEqual(["in_progress", "health check attempt 1/3 failed: answered 503, `status == 200 && body.ready == true` does not hold"]);
    expect(fake.repo(ENV_REPO).openPulls()).toHaveLength(0);
  });

  it("refuses a readiness URL on a cloud metadata address", async () => {
    asked.length = 0;
    const metadata = await deployToDev("http://169.254.169.254/latest/meta-data/");
    expect(metadata.statuses().at(-1)).toEqual(["in_progress", "health check attempt 1/3 failed: refused 169.254.169.254: 169.254.169.254 is a cloud metadata address"]);
  });

  it("refuses loopback unless the policy allows private networks", async () => {
    ready = true;
    asked.length = 0;
    const loopback = await deployToDev(`${base}/{{env}}/ready`, false);
    expect(loopback.statuses().at(-1)).toEqual(["in_progress", expect.stringMatching(/^health check attempt 1\/3 failed: refused 127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address \(set allowPrivateNetwork/)]);
    expect(asked).toEqual([]);
  });
});
