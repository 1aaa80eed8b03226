/**
 * `stagegate promote-github`: opens the promotion PR on a GitHub environments repository from a CI job.
 * A separate command from local `stagegate promote --repo DIR` so the two never share flags by accident.
 *
 * Auth: GITHUB_TOKEN (an installation token, e.g. from actions/create-github-app-token), or APP_ID +
 * PRIVATE_KEY/PRIVATE_KEY_PATH to mint one for the repository's installation. Exit codes: 0 done,
 * 1 refused (bad input, unknown service, config error), 75 transient GitHub failure (retry the job).
 */
import type { Command } from "commander";
import { parseRepoRef } from "../../adapters/github/client.js";
import { describeFailure } from "../../app/handler-support.js";
import { describeOutcomes, runIntake, type IntakeResult } from "../../app/intake.js";
import { artifactPayloadSchema, formatIssues } from "../../core/intake/payloads.js";
import { silentLogger } from "../../core/logger.js";
import type { EvidenceSeal } from "../../core/evidence/seal.js";
import { cliEvidenceSeal, gitHubClient } from "../github-auth.js";

export interface PromoteGithubOptions {
  repo: string;
  service: string;
  digest: string;
  image?: string;
  tag?: string;
  to?: string;
  sourceRepo?: string;
  sourceSha?: string;
  sourceAuthor?: string;
  buildUrl?: string;
  scanUrl?: string;
  provenanceUrl?: string;
  json?: boolean;
}

export interface CliIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs the command; returns the exit code. */
export async function runPromoteGithub(options: PromoteGithubOptions, io: CliIo): Promise<number> {
  const repo = parseRepoRef(options.repo);
  if (!repo) {
    io.err(`--repo must be OWNER/NAME, got ${options.repo}`);
    return 1;
  }
  // Half a source commit would be dropped, and the source-checks gate would then wait for checks of nothing.
  if (Boolean(options.sourceRepo) !== Boolean(options.sourceSha) || (options.sourceAuthor && !options.sourceRepo)) {
    io.err("--source-repo and --source-sha go together (and --source-author with them)");
    return 1;
  }
  const parsed = artifactPayloadSchema.safeParse({
    service: options.service,
    digest: options.digest,
    ...(options.image ? { image: options.image } : {}),
    ...(options.tag ? { tag: options.tag } : {}),
    ...(options.to ? { environment: options.to } : {}),
    ...(options.sourceRepo && options.sourceSha ? { source: { repo: options.sourceRepo, sha: options.sourceSha, ...(options.sourceAuthor ? { author: options.sourceAuthor } : {}) } } : {}),
    ...(options.buildUrl ? { buildUrl: options.buildUrl } : {}),
    ...(options.scanUrl ? { scanUrl: options.scanUrl } : {}),
    ...(options.provenanceUrl ? { provenanceUrl: options.provenanceUrl } : {}),
  });
  if (!parsed.success) {
    for (const issue of formatIssues(parsed.error)) io.err(`invalid artifact: ${issue}`);
    return 1;
  }
  let result: IntakeResult;
  let seal: EvidenceSeal | undefined;
  try {
    const client = await gitHubClient(io.env, repo);
    seal = await cliEvidenceSeal(io.env);
    result = await runIntake({ client, log: silentLogger, ...(seal ? { seal } : {}) }, { ...parsed.data, ...(io.env.GITHUB_ACTOR ? { requestedBy: io.env.GITHUB_ACTOR } : {}) }, { environmentsRepo: repo });
  } catch (error) {
    const failure = describeFailure(error);
    io.err(`${failure.title}: ${failure.message}`);
    return failure.kind === "refused" ? 1 : failure.kind === "bug" ? 1 : 75;
  }
  // The App (which always seals) refuses a PR whose block it cannot verify: say so where it was opened.
  if (!seal && result.outcomes.some((o) => o.status === "opened")) io.err("warning: the PR's evidence block is not sealed (set STAGEGATE_EVIDENCE_KEY to the App's key, or use the App's credentials): the App will fail its stagegate check");
  if (options.json) io.out(JSON.stringify(result, null, 2));
  else io.out(`${result.service} ${result.digest} → ${repo.owner}/${repo.repo}\n${describeOutcomes(result)}`);
  return 0;
}

export function register(program: Command): void {
  program
    .command("promote-github")
    .description("open the promotion PR on a GitHub environments repository (CI jobs; auth: GITHUB_TOKEN or APP_ID + PRIVATE_KEY)")
    .requiredOption("--repo <owner/name>", "environments repository on GitHub")
    .requiredOption("--service <name>", "service name from stagegate.yaml")
    .requiredOption("--digest <sha256:hex>", "image digest")
    .option("--image <repository>", "image repository (defaults to the service's)")
    .option("--tag <tag>", "human-readable tag kept next to the digest")
    .option("--to <env>", "environment (defaults to the pipeline's entry environments)")
    .option("--source-repo <owner/name>", "source repository of the build")
    .option("--source-sha <sha>", "source commit of the build")
    .option("--source-author <login>", "author of the source commit (separation of duties: their approval will not count)")
    .option("--build-url <url>", "link to the build")
    .option("--scan-url <url>", "SARIF or Trivy JSON report of the image (the vulnerabilities gate reads it)")
    .option("--provenance-url <url>", "link to the build's provenance")
    .option("--json", "print the result as JSON")
    .action(async (options: PromoteGithubOptions) => {
      const code = await runPromoteGithub(options, { env: process.env, out: (l) => console.log(l), err: (l) => console.error(l) });
      process.exitCode = code;
    });
}
