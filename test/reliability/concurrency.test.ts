/**
 * Bursts of mixed intake events (duplicates, out of order, concurrent; several services and environments)
 * through the GitHub App against the fake GitHub. Whatever the interleaving, the environments repository
 * converges to one open PR per (environment, service) lane carrying the NEWEST artifact, every other PR
 * of the lane closed, no orphan branch, no duplicate PR per branch.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FakeGitHub } from "../support/github/fake-github.js";
import { SOURCE_SHA } from "../support/github/fixtures.js";
import { createWorld, INSTALLATION_ID } from "../support/github/harness.js";
import { repositoryDispatch } from "../support/github/webhooks.js";
import { deliver, findInvariantViolations, loadAppWithFaults, type Delivery } from "./support/github-world.js";
import { RequestFaults } from "./support/request-faults.js";

const ENV_REPO = "acme/environments";
const digest = (c: string) => `sha256:${c.repeat(64)}`;

interface Artifact {
  service: "checkout" | "payments";
  environment: "dev" | "staging";
  digest: string;
  createdAt: string;
}

/** Three artifacts per lane, created an hour apart. */
const ARTIFACTS: Artifact[] = (["checkout", "payments"] as const).flatMap((service, s) =>
  (["dev", "staging"] as const).flatMap((environment, e) =>
    [1, 2, 3].map((n) => ({ service, environment, digest: digest(((s * 6 + e * 3 + n) % 16).toString(16)), createdAt: `2026-01-0${n}T00:00:00Z` })),
  ),
);

const delivery = (a: Artifact): Delivery => ({
  name: "repository_dispatch",
  payload: repositoryDispatch(`acme/${a.service}`, INSTALLATION_ID, { service: a.service, digest: a.digest, createdAt: a.createdAt, environment: a.environment, source: { repo: `acme/${a.service}`, sha: SOURCE_SHA } }),
});

/** The expected lanes: newest artifact per (environment, service). */
function newestPerLane(artifacts: readonly Artifact[]): Map<string, string> {
  const lanes = new Map<string, Artifact>();
  for (const a of artifacts) {
    const key = `${a.environment}/${a.service}`;
    if (!lanes.has(key) || lanes.get(key)!.createdAt < a.createdAt) lanes.set(key, a);
  }
  return new Map([...lanes].map(([k, a]) => [k, a.digest.slice("sha256:".length, "sha256:".length + 12)]));
}

async function burst(order: Artifact[], waves: number): Promise<{ fake: FakeGitHub; errors: unknown[] }> {
  const fake = new FakeGitHub(createWorld()).install();
  const errors: unknown[] = [];
  try {
    const probot = await loadAppWithFaults(new RequestFaults(), { environmentsRepo: ENV_REPO });
    // Deliveries in `waves` concurrent groups: within a group everything interleaves.
    const size = Math.ceil(order.length / waves);
    for (let i = 0; i < order.length; i += size) {
      const results = await Promise.all(order.slice(i, i + size).map((a, j) => deliver(probot, delivery(a), `d-${i + j}`)));
      errors.push(...results.filter((r) => r !== undefined));
    }
    return { fake, errors };
  } finally {
    fake.dispose();
  }
}

function lanesOf(fake: FakeGitHub): Map<string, string> {
  return new Map(
    fake
      .repo(ENV_REPO)
      .openPulls()
      .map((p) => {
        const [, env, service, short] = p.head.split("/") as [string, string, string, string];
        return [`${env}/${service}`, short];
      }),
  );
}

describe("concurrent and out-of-order intake", () => {
  it("converges to the newest artifact per lane for any order, duplication and concurrency", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        // Every artifact at least once, some twice (redeliveries), in any order, in 1–3 concurrent waves.
        fc.shuffledSubarray(ARTIFACTS, { minLength: 0, maxLength: ARTIFACTS.length }).chain((dups) => fc.shuffledSubarray([...ARTIFACTS, ...dups], { minLength: ARTIFACTS.length + dups.length, maxLength: ARTIFACTS.length + dups.length })),
        fc.integer({ min: 1, max: 3 }),
        async (order, waves) => {
          runs++;
          const { fake, errors } = await burst(order, waves);
          expect(errors.map(String)).toEqual([]);
          expect(findInvariantViolations(fake.repo(ENV_REPO))).toEqual([]);
          expect(lanesOf(fake)).toEqual(newestPerLane(order));
          fake.assertContract();
        },
      ),
      { numRuns: 12, seed: 20260101 },
    );
    expect(runs).toBe(12);
  });

  it("a late redelivery of an older artifact does not reopen its lane", async () => {
    const lane = ARTIFACTS.filter((a) => a.service === "checkout" && a.environment === "dev");
    const { fake, errors } = await burst([lane[2]!, lane[0]!, lane[1]!, lane[0]!], 4);
    expect(errors).toEqual([]);
    expect(fake.repo(ENV_REPO).pulls).toHaveLength(1);
    expect(lanesOf(fake)).toEqual(newestPerLane(lane));
  });
});
