import { stat } from "node:fs/promises";
import type { Command } from "commander";
import { readRepoDir } from "../../adapters/fs/repo-dir.js";
import { formatDiagnostic, loadConfiguration } from "../../core/config/index.js";
import { StagegateError } from "../../core/errors.js";
import { planPromotion, renderUnifiedDiff, requireService, shortDigest } from "../../core/plan/index.js";
import type { PromotionPlan } from "../../core/plan-types.js";

/**
 * `stagegate plan --repo DIR --service S --to ENV --digest D [--tag T] [--from ENV] [--rollback] [--json]`:
 * computes the promotion PR Stagegate would open, from a checkout, without touching anything.
 * Exit 0 when there is something to change or it is already promoted, 2 when the environment does
 * not reference the image, 1 on errors (bad config, unknown names, refused edits).
 */
export interface PlanCommandOptions {
  repo: string;
  service: string;
  to: string;
  digest: string;
  tag?: string;
  from?: string;
  rollback?: boolean;
  json?: boolean;
}

type Write = (text: string) => void;

/** Runs the command; returns the exit code. `out`/`err` receive whole lines. */
export async function runPlan(options: PlanCommandOptions, out: Write, err: Write): Promise<number> {
  try {
    const info = await stat(options.repo).catch(() => undefined);
    if (!info?.isDirectory()) return fail(err, `--repo ${options.repo}: not a directory`);
    const snapshot = await readRepoDir(options.repo);
    const result = loadConfiguration(snapshot.files);
    if (!result.ok) {
      for (const d of result.diagnostics) err(formatDiagnostic(d));
      return fail(err, `${options.repo}: invalid configuration (run stagegate validate)`);
    }
    const service = requireService(result.loaded, options.service);
    const plan = planPromotion(
      snapshot,
      {
        artifact: { service: service.name, image: service.image, digest: options.digest, ...(options.tag ? { tag: options.tag } : {}) },
        environment: options.to,
        kind: options.rollback ? "rollback" : "promotion",
        ...(options.from ? { from: options.from } : {}),
      },
      result.loaded,
    );
    if (options.json) out(JSON.stringify(toJson(plan), null, 2));
    else out(renderPlan(plan));
    if (plan.status === "not-referenced") {
      if (options.json) err(`stagegate plan: ${plan.message ?? "image not referenced"}`);
      return 2;
    }
    return 0;
  } catch (error) {
    return fail(err, error instanceof StagegateError ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function fail(err: Write, message: string): number {
  err(`stagegate plan: ${message}`);
  return 1;
}

/** The JSON contract of `plan --json` (scripts depend on it: only add fields). */
export function toJson(plan: PromotionPlan) {
  return {
    status: plan.status,
    message: plan.message ?? null,
    environment: plan.environment,
    service: plan.service,
    kind: plan.request.kind,
    image: `${plan.request.artifact.image}@${plan.request.artifact.digest}`,
    tag: plan.request.artifact.tag ?? null,
    branch: plan.branch,
    title: plan.title,
    baseRef: plan.baseRef,
    baseOid: plan.baseOid,
    previousDigests: plan.previousDigests,
    files: plan.files.map((f) => ({ path: f.path, editor: f.editor, previousDigests: f.previousDigests, lines: f.lines, patch: f.patch, diff: renderUnifiedDiff(f.path, f.before, f.after) })),
    skipped: plan.skipped,
    labels: plan.labels,
    reviewers: plan.reviewers,
    checks: plan.checks,
    commitMessage: plan.commitMessage,
    body: plan.body,
  };
}

/** The human-readable plan: header, PR metadata, then a unified diff per file. */
export function renderPlan(plan: PromotionPlan): string {
  if (plan.status !== "changed") return plan.message ?? plan.status;
  const lines = [
    plan.title,
    "",
    `  branch     ${plan.branch}`,
    `  base       ${plan.baseRef} @ ${plan.baseOid.slice(0, 12)}`,
    `  previous   ${plan.previousDigests.length > 0 ? plan.previousDigests.map((d) => `sha256:${shortDigest(d)}`).join(", ") : "none recorded"}`,
    `  checks     ${plan.checks.join(", ")}`,
    `  reviewers  ${[...plan.reviewers.teams.map((t) => `team ${t}`), ...plan.reviewers.users].join(", ") || "none"}`,
    `  labels     ${plan.labels.join(", ")}`,
    "",
  ];
  for (const f of plan.files) lines.push(renderUnifiedDiff(f.path, f.before, f.after));
  for (const s of plan.skipped) lines.push(`skipped ${s.path}: ${s.reason}`);
  return lines.join("\n").replace(/\n+$/, "");
}

export function register(program: Command): void {
  program
    .command("plan")
    .description("Show the promotion PR Stagegate would open (files, diffs, branch, checks), without changing anything")
    .requiredOption("--repo <dir>", "environments repository checkout")
    .requiredOption("--service <name>", "service to promote")
    .requiredOption("--to <env>", "target environment")
    .requiredOption("--digest <digest>", "image digest (sha256:…)")
    .option("--tag <tag>", "human-readable tag written next to the digest where a tag exists")
    .option("--from <env>", "upstream environment the artifact comes from (recorded in trailers)")
    .option("--rollback", "plan a rollback instead of a promotion")
    .option("--json", "print the plan as JSON")
    .action(async (options: PlanCommandOptions) => {
      process.exitCode = await runPlan(options, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`));
    });
}
