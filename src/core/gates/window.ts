import { CronParseError, parseCron, type CronSchedule } from "../config/cron.js";
import { formatDuration, parseDuration } from "../config/duration.js";
import { findLatestStart, findNextStart, ZonedClock } from "./zoned-clock.js";
import { result, type GateEvaluator } from "./types.js";

const DAY = 86_400_000;
/** How far ahead to look for the next opening; a window that never opens within a year is reported as such. */
const HORIZON = 366 * DAY;

type Recurring = { kind: "recurring"; label: string; schedule: CronSchedule; durationMs: number };
type Fixed = { kind: "fixed"; label: string; from: number; to: number };
type Period = Recurring | Fixed;

function label(w: { reason?: string | undefined }, fallback: string): string {
  return w.reason ? `"${w.reason}"` : fallback;
}

/** Start/end of the occurrence of `period` containing `now`, if any. */
function activeAt(clock: ZonedClock, period: Period, now: number): { start: number; end: number } | undefined {
  if (period.kind === "fixed") return period.from <= now && now < period.to ? { start: period.from, end: period.to } : undefined;
  const start = findLatestStart(clock, period.schedule, now, period.durationMs);
  return start === undefined ? undefined : { start, end: start + period.durationMs };
}

function nextStart(clock: ZonedClock, period: Period, now: number, horizon: number): number | undefined {
  if (period.kind === "fixed") return period.from > now && period.from <= now + horizon ? period.from : undefined;
  return findNextStart(clock, period.schedule, now + 1, horizon);
}

/** `window`: now is inside an allowed window (cron + duration, in the gate's timezone) and outside every freeze. */
export const evaluateWindow: GateEvaluator<"window"> = (spec, _facts, ctx) => {
  let clock: ZonedClock;
  let allow: Recurring[];
  let freezes: Period[];
  try {
    clock = new ZonedClock(spec.timezone);
    allow = spec.allow.map((w) => ({ kind: "recurring", label: label(w, `\`${w.schedule}\` for ${w.duration}`), schedule: parseCron(w.schedule), durationMs: parseDuration(w.duration) }));
    freezes = spec.freezes.map((f): Period => {
      if ("schedule" in f) return { kind: "recurring", label: label(f, `\`${f.schedule}\` for ${f.duration}`), schedule: parseCron(f.schedule), durationMs: parseDuration(f.duration) };
      const from = clock.parse(f.from);
      const to = clock.parse(f.to);
      if (Number.isNaN(from) || Number.isNaN(to)) throw new CronParseError(`invalid freeze dates ${f.from} – ${f.to}`);
      return { kind: "fixed", label: label(f, `${f.from} – ${f.to}`), from, to };
    });
  } catch (error) {
    const message = error instanceof RangeError ? `unknown timezone "${spec.timezone}"` : error instanceof Error ? error.message : String(error);
    return result(spec, { conclusion: "failure", summary: `window gate misconfigured: ${message}`, details: "Fix the gate in the policy on the default branch." });
  }
  const now = ctx.now.getTime();
  const local = (ms: number) => `${clock.format(ms)} ${spec.timezone}`;
  const evidence: Record<string, unknown> = { timezone: spec.timezone, now: local(now) };

  const frozen = freezes.flatMap((f) => {
    const hit = activeAt(clock, f, now);
    return hit ? [{ label: f.label, ...hit }] : [];
  });
  if (frozen.length > 0) {
    const end = Math.max(...frozen.map((f) => f.end));
    const names = frozen.map((f) => `${f.label} (until ${local(f.end)})`);
    evidence["freezes"] = frozen.map((f) => ({ freeze: f.label, from: new Date(f.start).toISOString(), to: new Date(f.end).toISOString() }));
    return result(spec, {
      conclusion: "pending",
      summary: `frozen: ${frozen.map((f) => f.label).join(", ")} until ${local(end)}`,
      details: `Promotions are frozen:\n\n${names.map((n) => `- ${n}`).join("\n")}\n\nNow: ${local(now)}.`,
      nextEvaluationAt: new Date(end).toISOString(),
      evidence,
    });
  }

  let closesAt: number | undefined;
  if (allow.length > 0) {
    const open = allow.flatMap((w) => {
      const hit = activeAt(clock, w, now);
      return hit ? [{ label: w.label, ...hit }] : [];
    });
    if (open.length === 0) {
      const next = allow
        .map((w) => ({ label: w.label, at: nextStart(clock, w, now, HORIZON) }))
        .filter((n): n is { label: string; at: number } => n.at !== undefined)
        .sort((a, b) => a.at - b.at)[0];
      const windows = allow.map((w) => `- ${w.label}`).join("\n");
      if (!next) return result(spec, { conclusion: "failure", summary: "no allowed window opens within a year", details: `Allowed windows (${spec.timezone}):\n\n${windows}`, evidence });
      evidence["nextOpening"] = new Date(next.at).toISOString();
      return result(spec, {
        conclusion: "pending",
        summary: `outside allowed windows; ${next.label} opens ${local(next.at)}`,
        details: `Now (${local(now)}) is outside every allowed window:\n\n${windows}\n\nNext opening: ${local(next.at)} (in ${formatDuration(next.at - now)}).`,
        nextEvaluationAt: new Date(next.at).toISOString(),
        evidence,
      });
    }
    closesAt = Math.max(...open.map((w) => w.end));
    evidence["window"] = open.map((w) => ({ window: w.label, from: new Date(w.start).toISOString(), to: new Date(w.end).toISOString() }));
  }
  // Re-evaluate when the window closes or the next freeze starts, so a PR left open stops passing on time.
  const horizon = closesAt !== undefined ? closesAt - now : 7 * DAY;
  const nextFreeze = freezes
    .map((f) => ({ label: f.label, at: nextStart(clock, f, now, horizon) }))
    .filter((n): n is { label: string; at: number } => n.at !== undefined)
    .sort((a, b) => a.at - b.at)[0];
  const changesAt = Math.min(closesAt ?? Infinity, nextFreeze?.at ?? Infinity);
  const notes = [closesAt !== undefined ? `The window closes ${local(closesAt)}.` : "No allowed windows are configured: always open outside freezes.", nextFreeze ? `Next freeze ${nextFreeze.label} starts ${local(nextFreeze.at)}.` : ""].filter(Boolean);
  return result(spec, {
    conclusion: "success",
    summary: closesAt !== undefined ? `inside allowed window until ${local(closesAt)}` : "no freeze in effect",
    details: `Now: ${local(now)}.\n\n${notes.join("\n")}`,
    ...(Number.isFinite(changesAt) ? { nextEvaluationAt: new Date(changesAt).toISOString() } : {}),
    evidence,
  });
};
