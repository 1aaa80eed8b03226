/**
 * DORA's four keys computed from audit rows (DESIGN.md §2 step 8), with the performance band of
 * each per the Accelerate State of DevOps Report 2023 (see docs/audit.md for the table and source).
 *
 * - deployment: a row that changed the digest in one of the measured environments (any kind but
 *   `initial`/`removal`): promotions, rollbacks, reverts, hand-made changes and direct pushes.
 * - change: a deployment that is not itself a rollback or revert.
 * - failed change: a change whose deployment result is failure/error, or that the next deployment
 *   of the same environment/service rolled back (rollback or revert).
 * - restore: from the failure (the failed deployment's time) to the next healthy deployment of that
 *   environment/service (one whose result is not failure/error and that did not fail itself).
 */
import type { AuditRow } from "./types.js";

export type Band = "elite" | "high" | "medium" | "low";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;

export interface DoraOptions {
  /** Length of the window ending at `now`, in milliseconds. */
  window: number;
  now: Date;
  /** Environments measured (all when empty). */
  environments?: readonly string[];
  service?: string;
}

export interface DoraWeek {
  /** Monday 00:00 UTC starting the week. */
  week: string;
  deployments: number;
  changes: number;
  failures: number;
  medianLeadTimeMs?: number;
  medianRestoreMs?: number;
}

export interface DoraReport {
  window: { from: string; to: string; days: number };
  environments: string[];
  service?: string;
  deploymentFrequency: { deployments: number; perDay: number; perWeek: number; band: Band | "none" };
  leadTime: { changes: number; medianMs?: number; meanMs?: number; p90Ms?: number; fromNote: number; fromCommitFallback: number; band: Band | "none" };
  changeFailureRate: { changes: number; failed: number; rate?: number; band: Band | "none" };
  timeToRestore: { failures: number; restored: number; medianMs?: number; meanMs?: number; band: Band | "none" };
  weekly: DoraWeek[];
}

const FAILED_RESULTS = new Set(["failure", "error", "failed", "inactive_failure"]);

/** True when the note recorded a failed deployment. */
export function isFailedResult(result: string | undefined): boolean {
  return result !== undefined && FAILED_RESULTS.has(result.toLowerCase());
}

function isRollback(row: AuditRow): boolean {
  return row.kind === "rollback" || row.kind === "revert";
}

function isDeployment(row: AuditRow): boolean {
  return row.digest !== undefined && row.kind !== "initial" && row.kind !== "removal";
}

/** When the change reached the environment: the note's deployment time when it recorded one, else the merge. */
function deployedAt(row: AuditRow): number {
  const at = row.deployedAt ? Date.parse(row.deployedAt) : NaN;
  return Number.isNaN(at) ? Date.parse(row.time) : at;
}

/**
 * Computes the DORA report over rows in the order the changes happened, oldest first: the audit's rows
 * come in history order, which is what decides what followed what (a revert committed on a clock a few
 * minutes behind still follows the change it reverts); sorting by commit time would not.
 */
export function computeDora(rows: readonly AuditRow[], options: DoraOptions): DoraReport {
  const to = options.now.getTime();
  const from = to - options.window;
  const envs = options.environments ?? [];
  const scoped = rows.filter((r) => isDeployment(r) && (envs.length === 0 || envs.includes(r.environment)) && (!options.service || r.service === options.service));

  // Failure and restore need the *next* deployment of the same target, which may fall after the window.
  const next = new Map<AuditRow, AuditRow | undefined>();
  const byTarget = new Map<string, AuditRow[]>();
  for (const row of scoped) {
    const key = `${row.environment}\u0000${row.service}`;
    const list = byTarget.get(key) ?? [];
    list.push(row);
    byTarget.set(key, list);
  }
  const failed = new Set<AuditRow>();
  for (const list of byTarget.values()) {
    list.forEach((row, i) => {
      const following = list[i + 1];
      next.set(row, following);
      if (isFailedResult(row.deployment) || (following && isRollback(following) && !isRollback(row))) failed.add(row);
    });
  }

  // (from, to]: a deployment made at `now` counts (the window is "the last N days, up to now"), and
  // adjacent windows share no instant.
  const inWindow = scoped.filter((r) => {
    const t = Date.parse(r.time);
    return t > from && t <= to;
  });
  const changes = inWindow.filter((r) => !isRollback(r));
  const failures = changes.filter((r) => failed.has(r));
  const leads = changes.filter((r) => r.kind === "promotion").map((r) => leadTime(r));
  const restores = failures.map((r) => restoreTime(r, next, failed)).filter((ms): ms is number => ms !== undefined);

  const days = options.window / DAY;
  const perDay = inWindow.length / days;
  const leadValues = leads.map((l) => l.ms);
  const medianLead = median(leadValues);
  const medianRestore = median(restores);
  const rate = changes.length > 0 ? failures.length / changes.length : undefined;

  return {
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), days },
    environments: [...envs],
    service: options.service,
    deploymentFrequency: { deployments: inWindow.length, perDay, perWeek: perDay * 7, band: inWindow.length === 0 ? "none" : frequencyBand(perDay) },
    leadTime: {
      changes: leads.length,
      medianMs: medianLead,
      meanMs: mean(leadValues),
      p90Ms: percentile(leadValues, 0.9),
      fromNote: leads.filter((l) => l.fromNote).length,
      fromCommitFallback: leads.filter((l) => !l.fromNote).length,
      band: medianLead === undefined ? "none" : leadTimeBand(medianLead),
    },
    changeFailureRate: { changes: changes.length, failed: failures.length, rate, band: rate === undefined ? "none" : failureRateBand(rate) },
    timeToRestore: {
      failures: failures.length,
      restored: restores.length,
      medianMs: medianRestore,
      meanMs: mean(restores),
      band: medianRestore === undefined ? "none" : restoreBand(medianRestore),
    },
    weekly: weeklySeries(inWindow, from, to, failed, next),
  };
}

/** Lead time of a promotion: source commit time (note) → deployed; falls back to the promotion commit's author date. */
function leadTime(row: AuditRow): { ms: number; fromNote: boolean } {
  const source = row.sourceCommittedAt ? Date.parse(row.sourceCommittedAt) : NaN;
  const fromNote = !Number.isNaN(source);
  const start = fromNote ? source : Date.parse(row.authoredAt);
  return { ms: Math.max(0, deployedAt(row) - start), fromNote };
}

function restoreTime(row: AuditRow, next: ReadonlyMap<AuditRow, AuditRow | undefined>, failed: ReadonlySet<AuditRow>): number | undefined {
  let candidate = next.get(row);
  while (candidate && (failed.has(candidate) || isFailedResult(candidate.deployment))) candidate = next.get(candidate);
  return candidate ? Math.max(0, deployedAt(candidate) - deployedAt(row)) : undefined;
}

function weeklySeries(rows: readonly AuditRow[], from: number, to: number, failed: ReadonlySet<AuditRow>, next: ReadonlyMap<AuditRow, AuditRow | undefined>): DoraWeek[] {
  const weeks: DoraWeek[] = [];
  const first = weekStart(from);
  const starts: number[] = [];
  for (let start = first; start < to; start += WEEK) starts.push(start);
  // Calendar weeks [Monday, next Monday); a deployment at exactly `to` on a Monday 00:00 goes to the last week shown.
  const byWeek = starts.map((): AuditRow[] => []);
  for (const r of rows) byWeek[Math.max(0, Math.min(Math.floor((Date.parse(r.time) - first) / WEEK), starts.length - 1))]?.push(r);
  for (const [i, start] of starts.entries()) {
    const inWeek = byWeek[i]!;
    const changes = inWeek.filter((r) => !isRollback(r));
    const weekFailures = changes.filter((r) => failed.has(r));
    weeks.push({
      week: new Date(start).toISOString().slice(0, 10),
      deployments: inWeek.length,
      changes: changes.length,
      failures: weekFailures.length,
      medianLeadTimeMs: median(changes.filter((r) => r.kind === "promotion").map((r) => leadTime(r).ms)),
      medianRestoreMs: median(weekFailures.map((r) => restoreTime(r, next, failed)).filter((ms): ms is number => ms !== undefined)),
    });
  }
  return weeks;
}

/** Monday 00:00 UTC of the week holding `t`. */
export function weekStart(t: number): number {
  const day = Math.floor(t / DAY) * DAY;
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  return day - weekday * DAY;
}

/** 2023 report: elite on demand (≥ daily), high daily–weekly, medium weekly–monthly, low less often. */
export function frequencyBand(perDay: number): Band {
  if (perDay >= 1) return "elite";
  if (perDay * 7 >= 1) return "high";
  if (perDay * 30 >= 1) return "medium";
  return "low";
}

/** 2023 report: elite < 1 day, high 1 day–1 week, medium 1 week–1 month, low longer. */
export function leadTimeBand(ms: number): Band {
  if (ms < DAY) return "elite";
  if (ms < WEEK) return "high";
  if (ms < MONTH) return "medium";
  return "low";
}

/** 2023 report cluster values: elite 5%, high 10%, medium 15%, low 64%; cut at the cluster values. */
export function failureRateBand(rate: number): Band {
  if (rate <= 0.05) return "elite";
  if (rate <= 0.1) return "high";
  if (rate <= 0.15) return "medium";
  return "low";
}

/** 2023 report: elite < 1 hour, high < 1 day, medium 1 day–1 week, low longer. */
export function restoreBand(ms: number): Band {
  if (ms < HOUR) return "elite";
  if (ms < DAY) return "high";
  if (ms < WEEK) return "medium";
  return "low";
}

/** Median (mean of the two middle values for even counts); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  return percentile(values, 0.5);
}

function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  if (p === 0.5) {
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid] : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  }
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Environments with no downstream: the production-like ones DORA measures by default. */
export function productionEnvironments(environments: readonly { name: string; from: readonly string[] }[]): string[] {
  const upstreams = new Set(environments.flatMap((e) => e.from));
  return environments.filter((e) => !upstreams.has(e.name)).map((e) => e.name);
}
