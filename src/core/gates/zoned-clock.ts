import type { CronSchedule, CronTimeParts } from "../config/cron.js";
import { cronMatches } from "../config/cron.js";

const MINUTE = 60_000;
// UTC offsets only change at DST/zone transitions, which real zones schedule on whole local hours;
// caching per 15-minute bucket keeps Intl calls rare without ever straddling a transition.
const BUCKET = 15 * MINUTE;

/** Wall-clock parts of an instant in a timezone. */
export interface ZonedParts extends CronTimeParts {
  year: number;
}

/**
 * Wall-clock arithmetic in one IANA timezone using Intl.DateTimeFormat (no date library, no host
 * timezone). Instances cache offsets; create one per evaluation. Throws RangeError for unknown zones.
 */
export class ZonedClock {
  private readonly formatter: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.formatter = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
  }

  /** Offset from UTC at `epochMs`, in milliseconds (positive east of Greenwich). */
  offsetMs(epochMs: number): number {
    const bucket = Math.floor(epochMs / BUCKET);
    const cached = this.offsets.get(bucket);
    if (cached !== undefined) return cached;
    const at = bucket * BUCKET;
    const parts = this.formatter.formatToParts(new Date(at));
    const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
    const offset = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - at;
    this.offsets.set(bucket, offset);
    return offset;
  }

  /** Local wall-clock parts of `epochMs`. */
  parts(epochMs: number): ZonedParts {
    const local = new Date(epochMs + this.offsetMs(epochMs));
    return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, dayOfMonth: local.getUTCDate(), hour: local.getUTCHours(), minute: local.getUTCMinutes(), dayOfWeek: local.getUTCDay() };
  }

  /**
   * Epoch milliseconds of an ISO date-time; without offset it is a wall-clock time in this zone.
   * A wall time skipped by a DST change maps forward (02:30 on spring-forward day → 03:30).
   */
  parse(text: string): number {
    if (/(Z|[+-]\d\d:?\d\d)$/i.test(text)) return Date.parse(text);
    const wall = Date.parse(`${text}Z`);
    if (Number.isNaN(wall)) return Number.NaN;
    const first = wall - this.offsetMs(wall);
    return wall - this.offsetMs(first);
  }

  /** `YYYY-MM-DD HH:mm` in this zone, for messages. */
  format(epochMs: number): string {
    const p = this.parts(epochMs);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${p.year}-${pad(p.month)}-${pad(p.dayOfMonth)} ${pad(p.hour)}:${pad(p.minute)}`;
  }
}

const anyOf = (set: ReadonlySet<number>): number => set.values().next().value ?? 0;

/** Can some minute of this local day match? (Any allowed hour and minute stand in for the real ones.) */
function dayMatches(schedule: CronSchedule, p: ZonedParts): boolean {
  return cronMatches(schedule, { ...p, hour: anyOf(schedule.hours), minute: anyOf(schedule.minutes) });
}

/** Can some minute of this local hour match? */
function hourMatches(schedule: CronSchedule, p: ZonedParts): boolean {
  return cronMatches(schedule, { ...p, minute: anyOf(schedule.minutes) });
}

// Skips below move in real minutes derived from the local clock. DST transitions happen on whole local
// hours, so within the current local hour real and local minutes agree; day skips stop one hour short
// of the day boundary, so a 23- or 25-hour day can make them land early (then they skip again) but
// never past a matching minute.

/**
 * The latest start `s` of `schedule` (an instant whose local wall-clock matches) with
 * `s ≤ now < s + durationMs`, or undefined. Starts are whole minutes; a wall time that a DST change
 * skips never starts a window, one that repeats starts two.
 */
export function findLatestStart(clock: ZonedClock, schedule: CronSchedule, nowMs: number, durationMs: number): number | undefined {
  let t = Math.floor(nowMs / MINUTE) * MINUTE;
  while (t > nowMs - durationMs) {
    const p = clock.parts(t);
    if (!dayMatches(schedule, p) && p.hour >= 1) t -= ((p.hour - 1) * 60 + p.minute + 1) * MINUTE;
    else if (!hourMatches(schedule, p)) t -= (p.minute + 1) * MINUTE;
    else if (schedule.minutes.has(p.minute)) return t;
    else t -= MINUTE;
  }
  return undefined;
}

/** The first start of `schedule` at or after `fromMs`, searching up to `horizonMs` ahead, or undefined. */
export function findNextStart(clock: ZonedClock, schedule: CronSchedule, fromMs: number, horizonMs: number): number | undefined {
  let t = Math.ceil(fromMs / MINUTE) * MINUTE;
  while (t <= fromMs + horizonMs) {
    const p = clock.parts(t);
    if (!dayMatches(schedule, p) && p.hour <= 22) t += ((23 - p.hour) * 60 - p.minute) * MINUTE;
    else if (!hourMatches(schedule, p)) t += (60 - p.minute) * MINUTE;
    else if (schedule.minutes.has(p.minute)) return t;
    else t += MINUTE;
  }
  return undefined;
}
