import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cronMatches, parseCron } from "../../../src/core/config/cron.js";
import { evaluateWindow } from "../../../src/core/gates/window.js";
import { findLatestStart, findNextStart, ZonedClock } from "../../../src/core/gates/zoned-clock.js";
import { ctx, facts, gate } from "./helpers.js";

const at = (iso: string) => ctx({ now: new Date(iso) });
const run = (params: Record<string, unknown>, now: string) => evaluateWindow(gate({ gate: "window", ...params }), facts(), at(now));

describe("ZonedClock", () => {
  it("computes wall-clock parts across DST changes", () => {
    const berlin = new ZonedClock("Europe/Berlin");
    expect(berlin.format(Date.parse("2024-03-31T00:59:00Z"))).toBe("2024-03-31 01:59");
    expect(berlin.format(Date.parse("2024-03-31T01:00:00Z"))).toBe("2024-03-31 03:00");
    expect(berlin.format(Date.parse("2024-10-27T00:30:00Z"))).toBe("2024-10-27 02:30");
    expect(berlin.format(Date.parse("2024-10-27T01:30:00Z"))).toBe("2024-10-27 02:30");
    expect(new Date(berlin.parse("2024-12-20T00:00:00")).toISOString()).toBe("2024-12-19T23:00:00.000Z");
    expect(new Date(berlin.parse("2024-07-01T00:00")).toISOString()).toBe("2024-06-30T22:00:00.000Z");
    // 02:30 does not exist on spring-forward day: it maps forward.
    expect(new Date(berlin.parse("2024-03-31T02:30:00")).toISOString()).toBe("2024-03-31T01:30:00.000Z");
    expect(() => new ZonedClock("Mars/Olympus")).toThrow(RangeError);
  });
});

describe("window gate: allowed windows", () => {
  const office = { timezone: "Europe/Berlin", allow: [{ schedule: "0 9 * * 1-5", duration: "8h", reason: "office hours" }] };
  it.each<[string, string, string, string | undefined]>([
    ["summer weekday inside", "2024-06-03T10:00:00Z", "success", "2024-06-03T15:00:00.000Z"],
    ["summer weekday after hours", "2024-06-03T16:00:00Z", "pending", "2024-06-04T07:00:00.000Z"],
    ["winter weekday inside", "2024-01-08T08:30:00Z", "success", "2024-01-08T16:00:00.000Z"],
    ["winter weekday before opening", "2024-01-08T07:30:00Z", "pending", "2024-01-08T08:00:00.000Z"],
    ["saturday", "2024-06-08T10:00:00Z", "pending", "2024-06-10T07:00:00.000Z"],
    ["friday evening before spring-forward: opens Monday in CEST", "2024-03-29T17:00:00Z", "pending", "2024-04-01T07:00:00.000Z"],
    ["friday evening before fall-back: opens Monday in CET", "2024-10-25T17:00:00Z", "pending", "2024-10-28T08:00:00.000Z"],
  ])("%s", (_name, now, conclusion, next) => {
    const r = run(office, now);
    expect(r.conclusion).toBe(conclusion);
    expect(r.nextEvaluationAt).toBe(next);
    if (conclusion === "pending") expect(r.summary).toContain('"office hours" opens');
  });

  it("measures duration in elapsed time across spring-forward (Europe/Berlin)", () => {
    const nightly = { timezone: "Europe/Berlin", allow: [{ schedule: "0 1 * * *", duration: "3h" }] };
    // Opens 01:00 CET = 00:00Z, lasts 3 real hours (until 05:00 CEST).
    expect(run(nightly, "2024-03-31T02:30:00Z")).toMatchObject({ conclusion: "success", nextEvaluationAt: "2024-03-31T03:00:00.000Z" });
    expect(run(nightly, "2024-03-31T03:00:00Z").conclusion).toBe("pending");
  });

  it("never opens at a wall time skipped by spring-forward (Europe/Berlin)", () => {
    const skipped = { timezone: "Europe/Berlin", allow: [{ schedule: "30 2 * * *", duration: "1h" }] };
    expect(run(skipped, "2024-03-31T01:10:00Z")).toMatchObject({ conclusion: "pending", nextEvaluationAt: "2024-04-01T00:30:00.000Z" });
    expect(run(skipped, "2024-03-30T01:40:00Z").conclusion).toBe("success");
  });

  it("opens twice at a wall time repeated by fall-back (Europe/Berlin)", () => {
    const repeated = { timezone: "Europe/Berlin", allow: [{ schedule: "30 2 * * *", duration: "30m" }] };
    expect(run(repeated, "2024-10-27T00:45:00Z")).toMatchObject({ conclusion: "success", nextEvaluationAt: "2024-10-27T01:00:00.000Z" });
    expect(run(repeated, "2024-10-27T01:15:00Z")).toMatchObject({ conclusion: "pending", nextEvaluationAt: "2024-10-27T01:30:00.000Z" });
    expect(run(repeated, "2024-10-27T01:40:00Z").conclusion).toBe("success");
  });

  it("follows America/New_York offsets on both DST changes", () => {
    const morning = { timezone: "America/New_York", allow: [{ schedule: "0 9 * * *", duration: "1h" }] };
    expect(run(morning, "2024-03-10T13:30:00Z").conclusion).toBe("success"); // 09:30 EDT on the change day
    expect(run(morning, "2024-03-09T13:30:00Z")).toMatchObject({ conclusion: "pending", nextEvaluationAt: "2024-03-09T14:00:00.000Z" }); // 08:30 EST
    expect(run(morning, "2024-11-03T13:30:00Z")).toMatchObject({ conclusion: "pending", nextEvaluationAt: "2024-11-03T14:00:00.000Z" }); // 08:30 EST after fall-back
    expect(run(morning, "2024-11-02T13:30:00Z").conclusion).toBe("success"); // 09:30 EDT the day before
  });

  it("handles weekly windows longer than a day", () => {
    const weekly = { timezone: "UTC", allow: [{ schedule: "0 0 * * 1", duration: "4d" }] };
    expect(run(weekly, "2024-06-06T23:59:00Z").conclusion).toBe("success");
    expect(run(weekly, "2024-06-07T00:00:00Z")).toMatchObject({ conclusion: "pending", nextEvaluationAt: "2024-06-10T00:00:00.000Z" });
  });
});

describe("window gate: freezes", () => {
  it("holds during a recurring freeze and names it", () => {
    const weekend = { timezone: "Europe/Berlin", freezes: [{ schedule: "0 18 * * 5", duration: "62h", reason: "weekend freeze" }] };
    const r = run(weekend, "2024-06-08T12:00:00Z");
    expect(r).toMatchObject({ conclusion: "pending", nextEvaluationAt: "2024-06-10T06:00:00.000Z" });
    expect(r.summary).toBe('frozen: "weekend freeze" until 2024-06-10 08:00 Europe/Berlin');
    expect(run(weekend, "2024-06-10T06:00:00Z").conclusion).toBe("success");
  });

  it("holds during a fixed freeze given in local time, and schedules the re-check at its start", () => {
    const holidays = { timezone: "Europe/Berlin", freezes: [{ from: "2024-12-20T00:00:00", to: "2025-01-06T00:00:00", reason: "holidays" }] };
    expect(run(holidays, "2024-12-24T12:00:00Z")).toMatchObject({ conclusion: "pending", nextEvaluationAt: "2025-01-05T23:00:00.000Z" });
    expect(run(holidays, "2024-12-19T22:59:00Z")).toMatchObject({ conclusion: "success", nextEvaluationAt: "2024-12-19T23:00:00.000Z" });
    expect(run(holidays, "2025-01-05T23:00:00Z").conclusion).toBe("success");
  });

  it("accepts fixed freezes with an explicit offset", () => {
    const utc = { timezone: "America/New_York", freezes: [{ from: "2024-07-04T00:00:00Z", to: "2024-07-05T00:00:00Z" }] };
    expect(run(utc, "2024-07-04T03:00:00Z").conclusion).toBe("pending");
    expect(run(utc, "2024-07-05T00:00:00Z").conclusion).toBe("success");
  });

  it("a freeze wins over an open window, and a window closing before a freeze sets the next evaluation", () => {
    const both = { timezone: "UTC", allow: [{ schedule: "0 8 * * *", duration: "10h" }], freezes: [{ from: "2024-06-03T12:00:00Z", to: "2024-06-03T13:00:00Z", reason: "release" }] };
    expect(run(both, "2024-06-03T12:30:00Z").summary).toContain('"release"');
    expect(run(both, "2024-06-03T10:00:00Z")).toMatchObject({ conclusion: "success", nextEvaluationAt: "2024-06-03T12:00:00.000Z" });
    expect(run(both, "2024-06-03T14:00:00Z")).toMatchObject({ conclusion: "success", nextEvaluationAt: "2024-06-03T18:00:00.000Z" });
  });
});

describe("window gate: configuration", () => {
  it("is always open without windows or freezes", () => {
    expect(run({}, "2024-06-03T10:00:00Z")).toMatchObject({ conclusion: "success", summary: "no freeze in effect" });
  });

  it("fails on an unknown timezone or a bad schedule", () => {
    expect(run({ timezone: "Europe/Atlantis" }, "2024-06-03T10:00:00Z").summary).toContain('unknown timezone "Europe/Atlantis"');
    expect(run({ allow: [{ schedule: "61 * * * *", duration: "1h" }] }, "2024-06-03T10:00:00Z").conclusion).toBe("failure");
  });

  it("reports a window that never opens", () => {
    expect(run({ allow: [{ schedule: "0 0 30 2 *", duration: "1h" }] }, "2024-06-03T10:00:00Z").summary).toBe("no allowed window opens within a year");
  });

  it("evaluates a long search quickly", () => {
    const started = performance.now();
    for (let i = 0; i < 20; i++) run({ timezone: "Europe/Berlin", allow: [{ schedule: "0 9 29 2 *", duration: "1w" }] }, "2024-03-10T10:00:00Z");
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe("window search agrees with a minute-by-minute scan", () => {
  const MINUTE = 60_000;
  const naiveLatest = (clock: ZonedClock, schedule: ReturnType<typeof parseCron>, now: number, duration: number) => {
    for (let t = Math.floor(now / MINUTE) * MINUTE; t > now - duration; t -= MINUTE) if (cronMatches(schedule, clock.parts(t))) return t;
    return undefined;
  };
  const naiveNext = (clock: ZonedClock, schedule: ReturnType<typeof parseCron>, from: number, horizon: number) => {
    for (let t = Math.ceil(from / MINUTE) * MINUTE; t <= from + horizon; t += MINUTE) if (cronMatches(schedule, clock.parts(t))) return t;
    return undefined;
  };
  // Instants around the 2024 DST changes of the zones, where skipping logic could go wrong.
  const anchors = ["2024-03-31T01:00:00Z", "2024-10-27T01:00:00Z", "2024-03-10T07:00:00Z", "2024-11-03T06:00:00Z", "2024-04-06T15:00:00Z", "2024-10-05T15:30:00Z"].map(Date.parse);
  const schedules = ["0 0 * * *", "30 2 * * *", "59 23 * * *", "*/20 1-3 * * *", "0 3 * * 0", "15 0 1 * *", "0 2 27,31 3,10 *", "45 1,2 * * 6,0", "0 9 * * 1-5"];
  const zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"];

  it("property: findLatestStart and findNextStart match the naive scan", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.constantFrom(...schedules), fc.constantFrom(...anchors), fc.integer({ min: -2 * 1440, max: 2 * 1440 }), fc.integer({ min: 1, max: 3 * 1440 }), (zone, cron, anchor, offsetMin, durationMin) => {
        const clock = new ZonedClock(zone);
        const schedule = parseCron(cron);
        const now = anchor + offsetMin * MINUTE + 17_000;
        expect(findLatestStart(clock, schedule, now, durationMin * MINUTE)).toBe(naiveLatest(clock, schedule, now, durationMin * MINUTE));
        expect(findNextStart(clock, schedule, now, durationMin * MINUTE)).toBe(naiveNext(clock, schedule, now, durationMin * MINUTE));
      }),
      { numRuns: 150 },
    );
  });
});
