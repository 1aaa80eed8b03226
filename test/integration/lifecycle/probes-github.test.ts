// Metrics and http gates through the GitHub App (probot.receive + the contract-checked fake), with
// injected probes; and the app's Prometheus counters moved by a promotion and its evaluation.
import { describe, expect, it } from "vitest";
import { SnapshotCache } from "../../../src/adapters/github/lifecycle.js";
import { createStagegateApp } from "../../../src/app/app.js";
import { silentLogger } from "../../../src/core/logger.js";
import { registerLifecycleHandlers } from "../../../src/handlers/register-lifecycle.js";
import { createPrometheusMetrics } from "../../../src/observability/metrics.js";
import type { Probes } from "../../../src/services/probes.js";
import { tick } from "../../../src/services/tick.js";
import { createTestClient, createTestProbot, INSTALLATION_ID } from "../../support/github/harness.js";
import { repositoryDispatch } from "../../support/github/webhooks.js";
import type { LifecycleGitHub } from "./support/lifecycle-github.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { createLifecycleWorld, deliver, DIGEST_A, ENV_REPO, environmentsFiles, pullRequestEvent, SOURCE_SHA } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();
const MINUTE = 60_000;
const REPO = { owner: "acme", repo: "environments" };

const STAGING = `version: 1
gates:
  - gate: metrics
    name: errors
    prometheus:
      address: http://prometheus.monitoring:9090
      query: sum(rate(http_requests_total{env="{{env}}",code=~"5.."}[5m]))
    successCondition: result[0] < 1
    count: 2
    interval: 1m
  - gate: http
    name: status
    url: https://status.example.com/{{env}}
merge:
  mode: manual
`;

function world() {
  return createLifecycleWorld({ ...environmentsFiles(), "policies/staging.yaml": STAGING });
}

function fakeProbes(): { probes: Probes; queries: number } {
  const state = { queries: 0, probes: undefined as unknown as Probes };
  state.probes = {
    measurePrometheus: async (_spec, { now }) => {
      state.queries++;
      return { at: now.toISOString(), value: [0.2] };
    },
    fetchHttpCheck: async (spec, target, { now }) => ({ url: spec.url.replace("{{env}}", target.environment), at: now.toISOString(), status: 200, body: "ok" }),
  };
  return state;
}

const runs = (fake: LifecycleGitHub, sha: string) => Object.fromEntries(fake.state(ENV_REPO).latestRuns(sha, fake.app.id).map((r) => [r.name, r]));
const artifact = { service: "checkout", image: "ghcr.io/acme/checkout", digest: DIGEST_A, tag: "1.1.0", source: { repo: "acme/checkout", sha: SOURCE_SHA } };
const dispatched = { ...artifact, environment: "staging" };

/** The Stagegate app as server.ts builds it, with a real metrics registry; promotions enter by repository_dispatch. */
async function loadApp() {
  const { metrics, registry } = createPrometheusMetrics({ collectDefaultMetrics: false });
  const probot = createTestProbot();
  await probot.load(createStagegateApp({ STAGEGATE_REGISTRY_HOST: "ghcr.io", STAGEGATE_ENVIRONMENTS_REPO: ENV_REPO, metrics }), { cwd: process.cwd(), addHandler: () => undefined });
  return { probot, registry };
}

describe("metrics and http gates on GitHub", () => {
  it("takes a metrics gate from pending to success over ticks, measurements kept in its check run", async () => {
    const fake = fakeGitHub(world());
    const probes = fakeProbes();
    const { metrics } = createPrometheusMetrics({ collectDefaultMetrics: false });
    const probot = createTestProbot();
    let shared: ReturnType<typeof registerLifecycleHandlers> | undefined;
    await probot.load((app) => {
      shared = registerLifecycleHandlers(app, { appId: fake.app.id, appSlug: fake.app.slug, clock: fake.clock, snapshots: new SnapshotCache(), probes: probes.probes, metrics });
    });
    const { promote } = await import("../../../src/services/promote.js");
    const { GitHubEnvironmentsRepo } = await import("../../../src/adapters/github/environments-repo.js");
    const opened = await promote({ repo: new GitHubEnvironmentsRepo(createTestClient(), REPO) }, { artifact, environment: "staging", requestedBy: "alice" });
    const number = opened.pr!.number;
    const head = fake.repo(ENV_REPO).head(opened.pr!.branch).oid;

    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    let checks = runs(fake, head);
    expect(checks["stagegate/errors"]).toMatchObject({ status: "in_progress", title: "1 of 2 measurements taken" });
    expect(checks["stagegate/errors"]!.summary).toMatch(new RegExp(`^<!-- stagegate:measurements v1 \\{"key":"${head}"`));
    expect(checks["stagegate/errors"]!.externalId).toBe("next=2026-03-02T10:01:00.000Z");
    expect(checks["stagegate/status"]).toMatchObject({ status: "completed", conclusion: "success" });
    expect(checks["stagegate"]!.status).toBe("in_progress");
    expect(probes.queries).toBe(1);

    // A review arriving 20 s later: the measurement is not due, the stored ones are read back from the check run.
    fake.clock.advance(20_000);
    fake.requests.length = 0;
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(probes.queries).toBe(1);
    expect(fake.describe()).toEqual(["StagegateGateFacts"]);

    fake.clock.advance(MINUTE);
    await tick((await shared!.open(createTestClient(), REPO, silentLogger)).deps);
    checks = runs(fake, head);
    expect(checks["stagegate/errors"]).toMatchObject({ status: "completed", conclusion: "success", title: "2 measurements done (2 successful, 0 failed, 0 inconclusive)" });
    expect(checks["stagegate"]).toMatchObject({ status: "completed", conclusion: "success" });
    expect(probes.queries).toBe(2);
  });

  it("moves the app's counters: promotion opened, gate evaluations written (and not again when unchanged)", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot, registry } = await loadApp();
    await probot.receive({ id: "d1", name: "repository_dispatch", payload: repositoryDispatch("acme/checkout", INSTALLATION_ID, dispatched) } as never);
    const pr = fake.repo(ENV_REPO).openPulls()[0];
    if (!pr) throw new Error(fake.describe().join("\n"));
    expect(pr.head).toBe("stagegate/staging/checkout/aaaaaaaaaaaa");
    await deliver(probot, "pull_request", pullRequestEvent(fake, pr.number));
    await deliver(probot, "pull_request", pullRequestEvent(fake, pr.number, "edited"));
    const text = await registry.metrics();
    expect(text).toContain('stagegate_promotions_total{environment="staging",outcome="opened"} 1');
    for (const gate of ["upstream", "soak", "approvals", "source-checks"]) expect(text).toContain(`stagegate_gate_evaluations_total{gate="${gate}",conclusion="in_progress"} 1`);
    // Redelivered intake: the PR exists.
    await probot.receive({ id: "d2", name: "repository_dispatch", payload: repositoryDispatch("acme/checkout", INSTALLATION_ID, dispatched) } as never);
    expect(await registry.metrics()).toContain('stagegate_promotions_total{environment="staging",outcome="exists"} 1');
  });
});
