import { describe, expect, it } from "vitest";
import { CronParseError, cronMatches, getCronError, parseCron } from "../../../src/core/config/cron.js";
import type { CronTimeParts } from "../../../src/core/config/cron.js";

const at = (minute: number, hour: number, dayOfMonth: number, month: number, dayOfWeek: number): CronTimeParts => ({ minute, hour, dayOfMonth, month, dayOfWeek });

describe("parseCron", () => {
  it.each([
    ["0 9 * * 1-5", at(0, 9, 15, 3, 1), true],
    ["0 9 * * 1-5", at(0, 9, 15, 3, 6), false],
    ["0 9 * * 1-5", at(1, 9, 15, 3, 1), false],
    ["*/15 * * * *", at(45, 3, 1, 1, 0), true],
    ["*/15 * * * *", at(50, 3, 1, 1, 0), false],
    ["5/20 * * * *", at(45, 3, 1, 1, 0), true],
    ["0 0 20 DEC *", at(0, 0, 20, 12, 3), true],
    ["0 0 20 dec *", at(0, 0, 20, 11, 3), false],
    ["0 8 * * MON-FRI", at(0, 8, 2, 2, 5), true],
    ["0 0 * * 7", at(0, 0, 2, 2, 0), true],
    ["0 0 * * SUN", at(0, 0, 2, 2, 0), true],
    ["0,30 9-17/2 * * *", at(30, 11, 2, 2, 2), true],
    ["0,30 9-17/2 * * *", at(30, 10, 2, 2, 2), false],
    // Day of month and day of week both restricted: either matches (Vixie cron).
    ["0 0 13 * 5", at(0, 0, 13, 6, 2), true],
    ["0 0 13 * 5", at(0, 0, 14, 6, 5), true],
    ["0 0 13 * 5", at(0, 0, 14, 6, 4), false],
    // Only day of month restricted: the day of week must not widen it.
    ["0 0 13 * *", at(0, 0, 14, 6, 5), false],
    ["@daily", at(0, 0, 14, 6, 5), true],
    ["@hourly", at(0, 7, 14, 6, 5), true],
    ["@weekly", at(0, 0, 14, 6, 1), false],
  ] as const)("%s at %o → %s", (expression, time, expected) => {
    expect(cronMatches(parseCron(expression), time)).toBe(expected);
  });

  it.each([
    ["", "cron expression must have 5 fields (minute hour day-of-month month day-of-week), got 0"],
    ["* * * *", "cron expression must have 5 fields (minute hour day-of-month month day-of-week), got 4"],
    ["60 * * * *", "minute 60 is out of range 0-59"],
    ["* 24 * * *", "hour 24 is out of range 0-23"],
    ["* * 0 * *", "day of month 0 is out of range 1-31"],
    ["* * * 13 *", "month 13 is out of range 1-12"],
    ["* * * * 8", "day of week 8 is out of range 0-7"],
    ["* * * FOO *", 'invalid month "FOO" (use 1-12 or JAN-DEC)'],
    ["*/0 * * * *", 'invalid step "0" in minute field (use a number from 1)'],
    ["1-2-3 * * * *", 'invalid range "1-2-3" in minute field'],
    ["5-1 * * * *", 'range "5-1" in minute field goes backwards (write it as 1-5 or split it into a list)'],
    ["1,,2 * * * *", 'empty list item in minute field "1,,2"'],
    ["@sometimes", 'unknown cron macro "@sometimes" (known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)'],
    ["x".repeat(201), "cron expression is longer than 200 characters"],
  ])("rejects %j: %s", (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronParseError);
    expect(getCronError(expression)).toBe(message);
  });

  it("keeps the source and the value sets", () => {
    const schedule = parseCron("  0 9 * * 1-5 ");
    expect(schedule.source).toBe("0 9 * * 1-5");
    expect([...schedule.daysOfWeek]).toEqual([1, 2, 3, 4, 5]);
    expect(schedule.dayOfWeekRestricted).toBe(true);
    expect(schedule.dayOfMonthRestricted).toBe(false);
    expect(getCronError("0 9 * * 1-5")).toBeUndefined();
  });
});
