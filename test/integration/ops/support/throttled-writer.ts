/**
 * One "replica" for the scale-out test, run as its own process: builds Probot exactly from the environment the
 * server reads (APP_ID, PRIVATE_KEY, GHE_HOST/GHE_PROTOCOL, REDIS_URL through Probot's createProbot), takes
 * an installation client the way a webhook handler gets `context.octokit`, and sends WRITES check-run creations
 * at once when told to start. Probot's throttling (plugin-throttling on Bottleneck, clustered through Redis when REDIS_URL is set)
 * decides when each one leaves. Prints "done" when all were answered.
 */
import { createProbot } from "probot";

const probot = createProbot({ env: process.env });
const octokit = await probot.auth(Number(process.env.INSTALLATION_ID ?? "1"));
const writes = Number(process.env.WRITES ?? "3");
// Warm up: a read fetches and caches the installation token, a write creates this process's write-lane limiter
// (and loads Bottleneck's scripts into Redis), so the measured writes below wait for nothing but the limiter.
await octokit.rest.repos.get({ owner: "acme", repo: "environments" });
await octokit.rest.checks.create({ owner: "acme", repo: "environments", name: "warm-up", head_sha: "0".repeat(40) });
// Start together: the test releases all replicas at once with a line on stdin, so process start-up times
// (which vary under load) do not decide the spacing the test measures.
process.stdout.write("ready\n");
await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
await Promise.all(
  Array.from({ length: writes }, (_, index) =>
    octokit.rest.checks.create({ owner: "acme", repo: "environments", name: `${process.env.REPLICA ?? "replica"}-${index}`, head_sha: "0".repeat(40) }),
  ),
);
process.stdout.write("done\n");
process.exit(0);
