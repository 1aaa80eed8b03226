/**
 * Fault matrix of the lifecycle flows through the GitHub App's lifecycle handlers: gates as check runs,
 * auto-merge, push → deployment, deployment_status → verdict → next-stage PRs, failure → rollback PR.
 * A fault-free delivery counts the requests; every request k in turn then fails with every fault kind
 * (or the process crashes right after it), the same event is delivered again to a fresh process (then the
 * push GitHub sends when the default branch moved), and the repository must end as after the fault-free run: no duplicate PR or deployment, no lost merge, verdict
 * or evidence note, no gate left green that is not.
 */
import { afterAll, describe, expect, it } from "vitest";
import { GitHubEnvironmentsRepo } from "../../src/adapters/github/environments-repo.js";
import { promote } from "../../src/services/promote.js";
import { createTestClient } from "../support/github/harness.js";
import { LifecycleGitHub } from "../integration/lifecycle/support/lifecycle-github.js";
import { createLifecycleWorld, DIGEST_A, ENV_REPO, pullRequestEvent, SOURCE_SHA } from "../integration/lifecycle/support/world.js";
import { deliver, type Delivery } from "./support/github-world.js";
import { deploymentStatusEvent, describeLifecycle, findLifecycleViolations, loadLifecycleWithFaults, pushEvent } from "./support/lifecycle-world.js";
import { diffJson, MatrixTally } from "./support/matrix.js";
import { FAULT_KINDS, RequestFaults, type FaultKind } from "./support/request-faults.js";

const HOUR = 3_600_000;
/** npm test: a crash right after every request (the harshest: applied, then nothing more); STAGEGATE_FAULT_MATRIX=full (npm run bench): all seven kinds. */
const KINDS: readonly FaultKind[] = process.env["STAGEGATE_FAULT_MATRIX"] === "full" ? FAULT_KINDS : ["crash"];

async function openPromotion(environment: string): Promise<number> {
  const repo = new GitHubEnvironmentsRepo(createTestClient(), { owner: "acme", repo: "environments" });
  const outcome = await promote({ repo }, { artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest: DIGEST_A, tag: "1.1.0", source: { repo: "acme/checkout", sha: SOURCE_SHA } }, environment, requestedBy: "alice" });
  return outcome.pr!.number;
}

/** Runs a delivery fault-free (setup steps); throws when it fails. */
async function step(fake: LifecycleGitHub, faults: RequestFaults, delivery: Delivery, id: string): Promise<void> {
  const error = await deliver(await loadLifecycleWithFaults(fake, faults), delivery, id);
  if (error) throw new Error(`setup delivery ${id} failed: ${String(error)}`);
}

/** dev promotion PR opened, its pull_request event auto-merges it (dev: merge auto). */
async function mergedInDev(fake: LifecycleGitHub, faults: RequestFaults): Promise<{ before: string; after: string }> {
  const number = await openPromotion("dev");
  const before = fake.repo(ENV_REPO).head().oid;
  await step(fake, faults, { name: "pull_request", payload: pullRequestEvent(fake, number) }, "setup-pr");
  return { before, after: fake.repo(ENV_REPO).head().oid };
}

async function deployedInDev(fake: LifecycleGitHub, faults: RequestFaults): Promise<number> {
  const { before, after } = await mergedInDev(fake, faults);
  await step(fake, faults, { name: "push", payload: pushEvent(fake, before, after) }, "setup-push");
  return fake.state(ENV_REPO).deployments.at(-1)!.id;
}

interface Scenario {
  flow: string;
  /** Builds the starting state fault-free; returns the event under test. */
  prepare: (fake: LifecycleGitHub, faults: RequestFaults) => Promise<Delivery>;
}

const scenarios: Scenario[] = [
  {
    flow: "pull_request → gates (staging, all met)",
    prepare: async (fake) => {
      const number = await openPromotion("staging");
      const state = fake.state(ENV_REPO);
      const at = fake.clock.iso();
      state.deployments.push({
        id: state.nextId(), sha: fake.repo(ENV_REPO).head().oid, environment: "dev", task: "deploy:checkout", createdAt: at, creator: "stagegate[bot]", productionEnvironment: false,
        payload: { stagegate: 1, service: "checkout", digest: DIGEST_A, evidence: { kind: "promotion" } },
        statuses: [{ id: state.nextId(), state: "success", description: "Verified", createdAt: at, creator: "stagegate[bot]" }],
      });
      fake.state("acme/checkout").foreignCheckRun(SOURCE_SHA, "build", "success");
      state.review(number, "rita", "APPROVED", at);
      fake.clock.advance(HOUR + 1000);
      return { name: "pull_request", payload: pullRequestEvent(fake, number) };
    },
  },
  {
    flow: "pull_request → auto-merge (dev)",
    prepare: async (fake) => ({ name: "pull_request", payload: pullRequestEvent(fake, await openPromotion("dev")) }),
  },
  {
    flow: "push of a person's merge → deployment",
    prepare: async (fake) => {
      const number = await openPromotion("staging");
      const before = fake.repo(ENV_REPO).head().oid;
      await createTestClient().request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { owner: "acme", repo: "environments", pull_number: number, merge_method: "squash" });
      return { name: "push", payload: pushEvent(fake, before, fake.repo(ENV_REPO).head().oid) };
    },
  },
  {
    flow: "deployment_status success → next-stage PRs",
    prepare: async (fake, faults) => ({ name: "deployment_status", payload: deploymentStatusEvent(fake, await deployedInDev(fake, faults), "success") }),
  },
  {
    flow: "deployment_status failure → rollback",
    prepare: async (fake, faults) => ({ name: "deployment_status", payload: deploymentStatusEvent(fake, await deployedInDev(fake, faults), "failure") }),
  },
];

interface RunResult {
  fake: LifecycleGitHub;
  state: ReturnType<typeof describeLifecycle>;
  requests: string[];
  error: unknown;
  fired: boolean;
}

async function run(scenario: Scenario, fault?: { index: number; kind: FaultKind }): Promise<RunResult> {
  const fake = new LifecycleGitHub(createLifecycleWorld()).install();
  try {
    const faults = new RequestFaults();
    const event = await scenario.prepare(fake, faults);
    const mainBefore = fake.repo(ENV_REPO).head().oid;
    const before = fake.apiRequests().length;
    if (fault) faults.arm(fault.index, fault.kind);
    const error = await deliver(await loadLifecycleWithFaults(fake, faults), event, "event");
    const fired = faults.fired;
    const requests = fake.describe(fake.apiRequests().slice(before));
    faults.disarm();
    await deliver(await loadLifecycleWithFaults(fake, faults), event, "event-redelivered");
    // A merge makes GitHub send a push: the next event, delivered in the reference run too.
    const mainAfter = fake.repo(ENV_REPO).head().oid;
    if (mainAfter !== mainBefore) await deliver(await loadLifecycleWithFaults(fake, faults), { name: "push", payload: pushEvent(fake, mainBefore, mainAfter) }, "push-after-merge");
    return { fake, state: describeLifecycle(fake), requests, error, fired };
  } finally {
    fake.dispose();
  }
}

/** The state without evidence notes (compared separately: see the known gap below). */
const withoutNotes = (state: RunResult["state"]) => ({ ...state, history: state.history.map(({ note: _note, ...rest }) => rest) });
/**
 * The notes, minus what a rebuilt note (recordPush → repairEvidenceNote) cannot know: its `rebuiltAt`
 * marker, the gates' machine-readable evidence and an override's time and second approver (only the
 * merging process had them). Everything else must be as the merge itself writes it.
 */
const notesOf = (state: RunResult["state"]) => state.history.map((h) => (h.note === null ? null : comparableNote(h.note)));
function comparableNote(note: string): unknown[] {
  return note.split(/\n\n(?=\{)/).map((part, i) => {
    const value = JSON.parse(part) as Record<string, unknown>;
    if (i > 0) return value;
    const { rebuiltAt: _rebuiltAt, gates, overrides, ...rest } = value as { rebuiltAt?: string; gates?: Record<string, unknown>[]; overrides?: Record<string, unknown>[] };
    return { ...rest, gates: gates?.map(({ evidence: _evidence, ...g }) => g), overrides: overrides?.map(({ at: _at, secondBy: _secondBy, ...o }) => o) };
  });
}

const tally = new MatrixTally();
/** Cases whose only difference is a missing evidence note on a Stagegate merge commit. */
const noteGaps: string[] = [];
afterAll(() => {
  const line = tally.summary(`lifecycle flows through the GitHub App, lifecycle fake GitHub, faults: ${KINDS.join(" ")}`);
  console.log(`${line}; evidence note missing or different after repair in ${noteGaps.length}`);
});

describe.each(scenarios)("fault matrix: $flow", (scenario) => {
  let reference: RunResult;

  it("fault-free: succeeds, the redelivery changes nothing, the repository is consistent", async () => {
    reference = await run(scenario);
    expect(reference.error).toBeUndefined();
    expect(reference.requests.length).toBeGreaterThan(0);
    expect(findLifecycleViolations(reference.fake)).toEqual([]);
    expect(reference.fake.violations).toEqual([]);
  });

  it.each(KINDS)("every request failing with %s, then a redelivery, ends as the fault-free run (notes aside)", async (kind) => {
    expect(reference, "fault-free run first").toBeDefined();
    for (let index = 0; index < reference.requests.length; index++) {
      const result = await run(scenario, { index, kind });
      const problems: string[] = [];
      if (!result.fired) problems.push("fault never reached");
      const diff = diffJson(withoutNotes(reference.state), withoutNotes(result.state));
      if (diff) problems.push(`end state differs: ${diff}`);
      problems.push(...findLifecycleViolations(result.fake), ...result.fake.violations);
      const request = reference.requests[index]!;
      if (problems.length === 0 && diffJson(notesOf(reference.state), notesOf(result.state))) noteGaps.push(`${scenario.flow}: request ${index} (${request}) × ${kind}`);
      tally.add({ flow: scenario.flow, index, request, fault: kind, problems: problems.length > 0 ? problems : diffJson(notesOf(reference.state), notesOf(result.state)) ? ["evidence note missing"] : [] });
    }
    expect(tally.failures(scenario.flow, kind).filter((f) => !f.problems.includes("evidence note missing")).map((f) => `request ${f.index} (${f.request}): ${f.problems.join("; ")}`)).toEqual([]);
  });
});

/**
 * mergePromotion writes the evidence note after the merge, the push's deployments and three git-data
 * requests; a failure or crash anywhere after the merge used to leave the merge commit without its note.
 * The push that follows (or a tick) now rebuilds it (recordPush → repairEvidenceNote), once.
 */
it("a Stagegate merge commit keeps its evidence note whatever fails after the merge", () => {
  expect(noteGaps).toEqual([]);
});
