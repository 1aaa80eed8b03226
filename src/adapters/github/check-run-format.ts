/**
 * How a CheckReport is stored in a GitHub check run, and read back: `output.title`/`output.summary`
 * carry the report, `external_id` carries the next evaluation time (so the comparison that decides
 * whether to write is exact), `output.text` a readable footer. Pure.
 */
import type { CheckConclusion, CheckReport } from "../../core/ports/checks.js";

/** GitHub's limit on `output.summary` and `output.text`. */
export const MAX_OUTPUT = 65_535;

/** A check run as the GraphQL API returns it. */
export interface RawCheckRun {
  databaseId: number | null;
  name: string;
  status: string;
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text?: string | null;
  externalId: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
  detailsUrl?: string | null;
}

const NEXT = "next=";

/** Truncates a Markdown text to GitHub's output limit, saying so. */
export function clampOutput(text: string): string {
  if (text.length <= MAX_OUTPUT) return text;
  const note = "\n\n… (truncated)";
  return text.slice(0, MAX_OUTPUT - note.length) + note;
}

/** A report as Stagegate writes it (clamped): what the next comparison sees when it reads the run back. */
export function normalizeReport(report: CheckReport): CheckReport {
  const { annotations: _annotations, ...rest } = report;
  report = rest;
  return { ...report, title: report.title.slice(0, 1000), summary: clampOutput(report.summary) };
}

/** The REST body of `POST /repos/{owner}/{repo}/check-runs` for a report. */
export function toCheckRunBody(headSha: string, report: CheckReport, now: Date, extra: { detailsUrl?: string } = {}): Record<string, unknown> {
  const r = normalizeReport(report);
  const footer = r.nextEvaluationAt ? `Next evaluation: ${r.nextEvaluationAt} (or on the next review, status, comment \`/stagegate recheck\` or reconcile tick).` : "";
  const output: Record<string, unknown> = { title: r.title, summary: r.summary };
  if (footer) output.text = footer;
  // GitHub takes at most 50 annotations per request; the summary lists every diagnostic anyway.
  const annotations = (report.annotations ?? []).slice(0, 50).map((a) => ({ path: a.path, start_line: a.line, end_line: a.line, annotation_level: a.level, message: a.message.slice(0, 64_000) }));
  if (annotations.length > 0) output.annotations = annotations;
  const body: Record<string, unknown> = {
    name: r.name,
    head_sha: headSha,
    status: r.status,
    external_id: r.nextEvaluationAt ? `${NEXT}${r.nextEvaluationAt}` : "",
    started_at: now.toISOString(),
    output,
  };
  if (r.status === "completed") Object.assign(body, { conclusion: r.conclusion ?? "neutral", completed_at: now.toISOString() });
  if (extra.detailsUrl) body.details_url = extra.detailsUrl;
  return body;
}

const CONCLUSIONS = new Set<CheckConclusion>(["success", "failure", "neutral"]);

/** A check run read through GraphQL as a report (with its id, to know which run is newest). */
export function parseCheckRun(run: RawCheckRun): CheckReport & { id: number } {
  const completed = run.status === "COMPLETED";
  const conclusion = (run.conclusion ?? "").toLowerCase();
  const report: CheckReport & { id: number } = {
    id: run.databaseId ?? 0,
    name: run.name,
    status: completed ? "completed" : "in_progress",
    title: run.title ?? "",
    summary: run.summary ?? "",
  };
  // Anything else (cancelled, stale, timed_out…) is not what Stagegate writes: report it as failure so it gets rewritten.
  if (completed) report.conclusion = CONCLUSIONS.has(conclusion as CheckConclusion) ? (conclusion as CheckConclusion) : "failure";
  if (run.externalId?.startsWith(NEXT)) report.nextEvaluationAt = run.externalId.slice(NEXT.length);
  return report;
}
