/**
 * Fault matrix of the promotion flow through the GitHub App: for each scenario, a fault-free run counts
 * the requests; then every request k in turn fails with every fault kind (5xx, timeout after apply,
 * secondary rate limit, conflicts, a crash right after request k). The same event is then delivered
 * again, and the environments repository must end exactly as after the fault-free run: no duplicate
 * PR, no orphan branch, no lost promotion, superseded PRs closed once.
 */
import { afterAll, describe, expect, it } from "vitest";
import { FakeGitHub } from "../support/github/fake-github.js";
import { DIGEST_A, DIGEST_B, SOURCE_SHA } from "../support/github/fixtures.js";
import { createWorld, INSTALLATION_ID } from "../support/github/harness.js";
import { issueComment, repositoryDispatch } from "../support/github/webhooks.js";
import { deliver, describeRepo, findInvariantViolations, loadAppWithFaults, requestNames, type Delivery } from "./support/github-world.js";
import { diffJson, MatrixTally } from "./support/matrix.js";
import { FAULT_KINDS, RequestFaults } from "./support/request-faults.js";

const ENV_REPO = "acme/environments";

const dispatch = (digest: string, createdAt: string): Delivery => ({
  name: "repository_dispatch",
  payload: repositoryDispatch("acme/checkout", INSTALLATION_ID, { service: "checkout", digest, tag: "1.1.0", createdAt, source: { repo: "acme/checkout", sha: SOURCE_SHA } }),
});

interface Scenario {
  flow: string;
  /** Deliveries that build the starting state (fault-free). */
  setup: Delivery[];
  event: Delivery;
}

const scenarios: Scenario[] = [
  { flow: "dispatch → open PR", setup: [], event: dispatch(DIGEST_A, "2026-01-01T00:00:00Z") },
  { flow: "dispatch → supersede older PR", setup: [dispatch(DIGEST_A, "2026-01-01T00:00:00Z")], event: dispatch(DIGEST_B, "2026-01-02T00:00:00Z") },
  { flow: "/stagegate promote comment", setup: [], event: { name: "issue_comment", payload: issueComment(ENV_REPO, INSTALLATION_ID, `/stagegate promote checkout ${DIGEST_A} to dev`, "alice") } },
];

interface RunResult {
  fake: FakeGitHub;
  state: unknown;
  requests: string[];
  firstError: unknown;
  fired: boolean;
}

/** Builds the world, runs the setup, delivers the event (with the fault armed), then delivers it again healthy. */
async function run(scenario: Scenario, fault?: { index: number; kind: (typeof FAULT_KINDS)[number] }): Promise<RunResult> {
  const fake = new FakeGitHub(createWorld()).install();
  try {
    const faults = new RequestFaults();
    const probot = await loadAppWithFaults(faults);
    for (const [i, d] of scenario.setup.entries()) {
      const error = await deliver(probot, d, `setup-${i}`);
      if (error) throw new Error(`setup delivery failed: ${String(error)}`);
    }
    const before = fake.apiRequests().length;
    if (fault) faults.arm(fault.index, fault.kind);
    const firstError = await deliver(probot, scenario.event, "event");
    const fired = faults.fired;
    const requests = requestNames(fake).slice(before);
    faults.disarm();
    // The redelivery runs on a "restarted" process: a fresh app (no in-memory state survives a crash).
    await deliver(await loadAppWithFaults(faults), scenario.event, "event-redelivered");
    return { fake, state: describeRepo(fake.repo(ENV_REPO)), requests, firstError, fired };
  } finally {
    fake.dispose();
  }
}

const tally = new MatrixTally();
afterAll(() => {
  console.log(tally.summary("promotion flow through the GitHub App, fake GitHub"));
});

describe.each(scenarios)("fault matrix: $flow", (scenario) => {
  let reference: RunResult;

  it("fault-free: the redelivery changes nothing and the repository is consistent", async () => {
    reference = await run(scenario);
    expect(reference.firstError).toBeUndefined();
    expect(reference.requests.length).toBeGreaterThan(0);
    expect(findInvariantViolations(reference.fake.repo(ENV_REPO))).toEqual([]);
    expect(reference.fake.repo(ENV_REPO).openPulls()).toHaveLength(1);
    reference.fake.assertContract();
  });

  it.each(FAULT_KINDS)("every request failing with %s, then a redelivery, ends as the fault-free run", async (kind) => {
    expect(reference, "fault-free run first").toBeDefined();
    for (let index = 0; index < reference.requests.length; index++) {
      const result = await run(scenario, { index, kind });
      const problems: string[] = [];
      if (!result.fired) problems.push("fault never reached");
      const diff = diffJson(reference.state, result.state);
      if (diff) problems.push(`end state differs: ${diff}`);
      problems.push(...findInvariantViolations(result.fake.repo(ENV_REPO)));
      // A fault may make the app send different requests, but never ones GitHub would reject.
      problems.push(...result.fake.violations.filter((v) => !v.includes("fake crashed")));
      tally.add({ flow: scenario.flow, index, request: reference.requests[index]!, fault: kind, problems });
    }
    expect(tally.failures(scenario.flow, kind).map((f) => `request ${f.index} (${f.request}): ${f.problems.join("; ")}`)).toEqual([]);
  });
});
