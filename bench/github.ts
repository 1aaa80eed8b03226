/**
 * GitHub round trips per promotion. Opens one promotion PR against the contract-checked fake GitHub
 * (test/support/github) for 1, 5 and 20 changed files × 0, 3 and 8 gates, counts the HTTP requests the
 * adapter sends (the installation token excluded), the mutation requests and the content-creating
 * mutation fields, and derives how many promotions per hour one installation can sustain under GitHub's
 * documented limits (docs/github-app.md cites them). Run alone: `npx tsx bench/github.ts`.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import nock from "nock";
import { Octokit } from "@octokit/rest";
import { GitHubEnvironmentsRepo } from "../src/adapters/github/environments-repo.js";
import { promote } from "../src/services/promote.js";
import { FakeGitHub, FakeRepo } from "../test/support/github/fake-github.js";
import { DIGEST_A, DIGEST_B, environmentsRepoFiles } from "../test/support/github/fixtures.js";

/** GitHub's documented limits (docs.github.com, rate limits for the REST and GraphQL APIs). */
export const LIMITS = {
  graphqlPointsPerHour: 5000,
  contentCreatingPerMinute: 80,
  contentCreatingPerHour: 500,
  secondaryPointsPerMinuteGraphql: 2000,
  secondaryPointsPerMutation: 5,
  secondaryPointsPerQuery: 1,
} as const;

/** Mutation fields that create content on GitHub (counted conservatively, one each). */
const CONTENT_FIELDS = new Set(["createRef", "createCommitOnBranch", "createPullRequest", "createLabel", "addComment", "addLabelsToLabelable", "requestReviews", "closePullRequest", "deleteRef", "updateRef"]);

export interface Scenario {
  files: number;
  gates: number;
  requests: number;
  queries: number;
  mutations: number;
  contentFields: number;
  operations: string[];
}

function world(files: number, gates: number): FakeRepo {
  const repo = new FakeRepo("acme/environments", environmentsRepoFiles({ gates, extraCheckoutFiles: files - 1 }));
  // Steady state: the labels exist (the first promotion creates them inside the same OPEN mutation).
  for (const label of ["promotion", "env:dev", "stagegate", "stagegate:dev"]) repo.labels.set(label, `LA_${label}`);
  repo.collaborators.set("carol", "U_carol");
  repo.teams.set("checkout-team", { id: "T_checkout", members: new Set() });
  return repo;
}

async function measure(files: number, gates: number, digest = DIGEST_A, repo = world(files, gates)): Promise<Scenario & { fake: FakeGitHub; repo: FakeRepo }> {
  const fake = new FakeGitHub([repo]).install();
  try {
    const client = new Octokit({ auth: "ghs_bench", request: { retries: 0 } });
    const outcome = await promote({ repo: new GitHubEnvironmentsRepo(client, { owner: "acme", repo: "environments" }) }, { artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest }, environment: "dev" });
    if (outcome.plan.files.length !== files) throw new Error(`expected ${files} changed files, planned ${outcome.plan.files.length}`);
    fake.assertContract();
    const requests = fake.apiRequests();
    const graphql = requests.flatMap((r) => (r.kind === "graphql" ? [r] : []));
    return {
      files,
      gates,
      requests: requests.length,
      queries: graphql.filter((r) => r.operation === "query").length,
      mutations: graphql.filter((r) => r.operation === "mutation").length,
      contentFields: graphql.flatMap((r) => (r.operation === "mutation" ? r.fields : [])).filter((f) => CONTENT_FIELDS.has(f)).length,
      operations: requests.map((r) => (r.kind === "graphql" ? `${r.name}(${r.fields.join("+")})` : `${r.method} ${r.path}`)),
      fake,
      repo,
    };
  } finally {
    fake.dispose();
  }
}

/** Runs every scenario; returns a JSON-able report. */
export async function runGithubBench(): Promise<Record<string, unknown>> {
  nock.disableNetConnect();
  try {
    const scenarios: Scenario[] = [];
    for (const files of [1, 5, 20]) {
      for (const gates of [0, 3, 8]) {
        const { fake: _fake, repo: _repo, ...scenario } = await measure(files, gates);
        scenarios.push(scenario);
      }
    }
    // A newer artifact while the older PR is open: the same three requests plus one close mutation.
    const first = await measure(1, 0);
    const { fake: _f, repo: _r, ...supersede } = await measure(1, 0, DIGEST_B, first.repo);
    const worst = scenarios.reduce((a, b) => (b.requests > a.requests ? b : a));
    const contentPerPromotion = Math.max(...scenarios.map((s) => s.contentFields));
    const mutationsPerPromotion = Math.max(...scenarios.map((s) => s.mutations));
    // Primary GraphQL cost: the snapshot query's connections (labels 100, refs 100 × (PR 1 + PR labels 20 + parents 1)) ≈ 3 points; mutations ≥ 1 each.
    const pointsPerPromotion = 3 + mutationsPerPromotion;
    const byContentPerField = Math.floor(LIMITS.contentCreatingPerHour / contentPerPromotion);
    const byContentPerRequest = Math.floor(LIMITS.contentCreatingPerHour / mutationsPerPromotion);
    const byPrimaryPoints = Math.floor(LIMITS.graphqlPointsPerHour / pointsPerPromotion);
    return {
      generatedAt: new Date().toISOString(),
      target: "≤ 3 requests per promotion, independent of files and gates",
      requestsPerPromotion: { min: Math.min(...scenarios.map((s) => s.requests)), max: worst.requests },
      independentOfFilesAndGates: new Set(scenarios.map((s) => s.requests)).size === 1,
      scenarios,
      supersede: { requests: supersede.requests, operations: supersede.operations },
      contentCreating: { mutationRequestsPerPromotion: mutationsPerPromotion, contentFieldsPerPromotion: contentPerPromotion },
      sustainablePromotionsPerHour: {
        conservative: Math.min(byContentPerField, byPrimaryPoints),
        ifGitHubCountsPerRequest: Math.min(byContentPerRequest, byPrimaryPoints),
        byPrimaryGraphqlPoints: byPrimaryPoints,
        burstPerMinute: Math.floor(LIMITS.contentCreatingPerMinute / contentPerPromotion),
        limits: LIMITS,
      },
    };
  } finally {
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await runGithubBench();
  const { scenarios, ...summary } = report as { scenarios: Scenario[] };
  console.table(scenarios.map(({ operations: _o, ...s }) => s));
  console.log(JSON.stringify(summary, null, 2));
  writeFileSync(new URL("./github-results.json", import.meta.url), JSON.stringify(report, null, 2) + "\n");
}
