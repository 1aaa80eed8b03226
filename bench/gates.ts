/**
 * GitHub requests per gate evaluation. Evaluates one promotion PR whose policy has all 8 gate types
 * against the contract-checked lifecycle fake (test/integration/lifecycle/support), counting reads
 * (GraphQL queries, REST GETs) and writes (everything else): a cold evaluation (snapshot not cached),
 * a repeat with nothing changed (target: 1 read, 0 writes), and one after a review changed one gate.
 * Run alone: `npx tsx bench/gates.ts` (writes bench/gates-results.json).
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { Octokit } from "@octokit/rest";
import { GitHubEnvironmentsRepo } from "../src/adapters/github/environments-repo.js";
import { GitHubLifecycle, SnapshotCache } from "../src/adapters/github/lifecycle.js";
import { evaluatePr } from "../src/handlers/lifecycle-context.js";
import { promote } from "../src/services/promote.js";
import { LifecycleGitHub, type Logged } from "../test/integration/lifecycle/support/lifecycle-github.js";
import { createLifecycleWorld, DIGEST_A, ENV_REPO, environmentsFiles, SOURCE_SHA } from "../test/integration/lifecycle/support/world.js";

const EIGHT_GATES = `version: 1
gates:
  - gate: upstream
  - gate: soak
    duration: 1h
  - gate: source-checks
    checks: [build, test]
  - gate: vulnerabilities
    max: { critical: 0 }
    requireReport: false
  - gate: metrics
    prometheus:
      address: https://prometheus.example.com
      query: sum(rate(http_errors[5m]))
    successCondition: result[0] < 1
  - gate: window
    timezone: Europe/Berlin
  - gate: approvals
    count: 2
    teams: [acme/release-managers]
  - gate: http
    url: https://status.example.com/{{env}}
`;

export interface GateBenchScenario {
  name: string;
  reads: number;
  writes: number;
  requests: string[];
}

export interface GateBenchResult {
  name: "gates";
  gates: number;
  scenarios: GateBenchScenario[];
  /** The target of the unchanged re-evaluation. */
  target: { reads: 1; writes: 0 };
  unchangedMeetsTarget: boolean;
}

const isRead = (r: Logged) => (r.kind === "graphql" ? r.operation === "query" : r.method === "GET");

function measure(fake: LifecycleGitHub, name: string): GateBenchScenario {
  const requests = fake.apiRequests();
  const scenario = { name, reads: requests.filter(isRead).length, writes: requests.filter((r) => !isRead(r)).length, requests: fake.describe(requests) };
  fake.requests.length = 0;
  return scenario;
}

/** Runs the three scenarios and returns the counts. */
export async function runGatesBench(): Promise<GateBenchResult> {
  nock.disableNetConnect();
  const files = { ...environmentsFiles(), "policies/staging.yaml": EIGHT_GATES };
  const fake = new LifecycleGitHub(createLifecycleWorld(files)).install();
  try {
    const client = new Octokit({ auth: "ghs_bench", request: { retries: 0 } });
    const repoRef = { owner: "acme", repo: "environments" };
    const opened = await promote({ repo: new GitHubEnvironmentsRepo(client, repoRef) }, { artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest: DIGEST_A, source: { repo: "acme/checkout", sha: SOURCE_SHA } }, environment: "staging", requestedBy: "alice" });
    const number = opened.pr!.number;
    const body = fake.repo(ENV_REPO).pulls.find((p) => p.number === number)!.body;
    fake.requests.length = 0;
    const snapshots = new SnapshotCache();
    const evaluate = () => evaluatePr(new GitHubLifecycle(client, repoRef, { appId: fake.app.id, appSlug: fake.app.slug, clock: fake.clock, snapshots }), number, body);
    const scenarios: GateBenchScenario[] = [];
    await evaluate();
    scenarios.push(measure(fake, "first evaluation (cold cache, every check written)"));
    await evaluate();
    scenarios.push(measure(fake, "nothing changed"));
    fake.state(ENV_REPO).review(number, "rita", "APPROVED", fake.clock.iso());
    await evaluate();
    scenarios.push(measure(fake, "one review arrived"));
    if (fake.violations.length > 0) throw new Error(`contract violations:\n${fake.violations.join("\n")}`);
    const unchanged = scenarios[1]!;
    return { name: "gates", gates: 8, scenarios, target: { reads: 1, writes: 0 }, unchangedMeetsTarget: unchanged.reads === 1 && unchanged.writes === 0 };
  } finally {
    fake.dispose();
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runGatesBench();
  console.table(result.scenarios.map(({ requests, ...s }) => ({ ...s, requests: requests.join(", ") })));
  console.log(`unchanged re-evaluation meets the target (1 read, 0 writes): ${result.unchangedMeetsTarget}`);
  writeFileSync(new URL("./gates-results.json", import.meta.url), JSON.stringify(result, null, 2) + "\n");
}
