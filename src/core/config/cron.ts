/**
 * A 5-field cron parser (minute hour day-of-month month day-of-week), used to validate window gates
 * and by the window gate to decide whether a time is inside a window. Pure and dependency-free:
 * the libraries in this field either read the system clock/timezone or pull in a date library.
 *
 * Grammar per field: `*`, `n`, `a-b`, `*\/s`, `a-b/s`, `n/s` (from n to the field's max), and
 * comma-separated lists of those. Months accept JAN–DEC, days of week SUN–SAT; 7 is Sunday too.
 * Macros: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly.
 * As in Vixie cron, when both day-of-month and day-of-week are restricted a day matches if
 * EITHER matches.
 */

/** A parsed schedule: the allowed values of each field. */
export interface CronSchedule {
  /** The expression as written (trimmed). */
  readonly source: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday (7 is folded into 0). */
  readonly daysOfWeek: ReadonlySet<number>;
  /** False when the field was `*` (or `*\/1`): needed for the day-of-month/day-of-week OR rule. */
  readonly dayOfMonthRestricted: boolean;
  readonly dayOfWeekRestricted: boolean;
}

/** Wall-clock parts of a moment in the schedule's timezone. month is 1–12, dayOfWeek 0 (Sunday)–6. */
export interface CronTimeParts {
  minute: number;
  hour: number;
  dayOfMonth: number;
  month: number;
  dayOfWeek: number;
}

/** Thrown by {@link parseCron}; the message names the field and what is allowed. */
export class CronParseError extends Error {
  override name = "CronParseError";
}

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { label: "minute", min: 0, max: 59 },
  { label: "hour", min: 0, max: 23 },
  { label: "day of month", min: 1, max: 31 },
  { label: "month", min: 1, max: 12, names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] },
  { label: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
];

const MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

function parseValue(text: string, field: FieldSpec): number {
  if (/^\d{1,2}$/.test(text)) {
    const value = Number(text);
    if (value < field.min || value > field.max) throw new CronParseError(`${field.label} ${value} is out of range ${field.min}-${field.max}`);
    return value;
  }
  const index = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return index + (field.label === "month" ? 1 : 0);
  const hint = field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : "";
  throw new CronParseError(`invalid ${field.label} "${text}" (use ${field.min}-${field.max}${hint})`);
}

function parseField(text: string, field: FieldSpec): { values: Set<number>; restricted: boolean } {
  const values = new Set<number>();
  let restricted = false;
  for (const part of text.split(",")) {
    if (part === "") throw new CronParseError(`empty list item in ${field.label} field "${text}"`);
    const [rangeText = "", stepText, extra] = part.split("/");
    if (extra !== undefined) throw new CronParseError(`invalid step in ${field.label} field "${part}"`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d{1,2}$/.test(stepText) || Number(stepText) === 0) throw new CronParseError(`invalid step "${stepText}" in ${field.label} field (use a number from 1)`);
      step = Number(stepText);
    }
    let low: number;
    let high: number;
    if (rangeText === "*") {
      low = field.min;
      high = field.max;
      if (step !== 1) restricted = true;
    } else {
      restricted = true;
      const bounds = rangeText.split("-");
      if (bounds.length > 2) throw new CronParseError(`invalid range "${rangeText}" in ${field.label} field`);
      low = parseValue(bounds[0] ?? "", field);
      // `n/s` means from n to the end of the field, as in Vixie cron.
      high = bounds.length === 2 ? parseValue(bounds[1] ?? "", field) : stepText !== undefined ? field.max : low;
      if (high < low) throw new CronParseError(`range "${rangeText}" in ${field.label} field goes backwards (write it as ${bounds[1]}-${bounds[0]} or split it into a list)`);
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return { values, restricted };
}

/**
 * Parses a 5-field cron expression. Throws {@link CronParseError} with a message naming the fault.
 * The expression is interpreted in whatever timezone the caller converts times to.
 */
export function parseCron(expression: string): CronSchedule {
  const source = expression.trim();
  if (source.length > 200) throw new CronParseError("cron expression is longer than 200 characters");
  const expanded = source.startsWith("@") ? MACROS[source.toLowerCase()] : source;
  if (expanded === undefined) throw new CronParseError(`unknown cron macro "${source}" (known: ${Object.keys(MACROS).join(", ")})`);
  const parts = expanded.split(/\s+/).filter((p) => p !== "");
  if (parts.length !== 5) {
    throw new CronParseError(`cron expression must have 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts.map((p, i) => parseField(p, FIELDS[i] as FieldSpec)) as [
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
    ReturnType<typeof parseField>,
  ];
  const daysOfWeek = new Set([...dayOfWeek.values].map((d) => d % 7));
  return {
    source,
    minutes: minute.values,
    hours: hour.values,
    daysOfMonth: dayOfMonth.values,
    months: month.values,
    daysOfWeek,
    dayOfMonthRestricted: dayOfMonth.restricted,
    dayOfWeekRestricted: dayOfWeek.restricted,
  };
}

/** The parse error message of an expression, or undefined when it is valid. */
export function getCronError(expression: string): string | undefined {
  try {
    parseCron(expression);
    return undefined;
  } catch (error) {
    return error instanceof CronParseError ? error.message : String(error);
  }
}

/** True when the wall-clock time `t` (in the schedule's timezone) is a start of the schedule. */
export function cronMatches(schedule: CronSchedule, t: CronTimeParts): boolean {
  if (!schedule.minutes.has(t.minute) || !schedule.hours.has(t.hour) || !schedule.months.has(t.month)) return false;
  const dom = schedule.daysOfMonth.has(t.dayOfMonth);
  const dow = schedule.daysOfWeek.has(t.dayOfWeek % 7);
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) return dom || dow;
  return dom && dow;
}
