import { describe, expect, it } from "vitest";
import { linesOf, withPolicy } from "./helpers.js";

// Cron macros are short (@daily is 6 characters); the schema once demanded 9, rejecting what cron.ts parses.
describe("window schedules accept cron macros", () => {
  it.each(["@hourly", "@daily", "@weekly", "@monthly", "@yearly"])("%s validates", (schedule) => {
    const policy = `gates:\n  - gate: upstream\n  - gate: window\n    allow:\n      - schedule: "${schedule}"\n        duration: 1h\n`;
    expect(linesOf(withPolicy(policy))).toEqual([]);
  });

  it("an unknown macro is still an error at its position", () => {
    const policy = `gates:\n  - gate: upstream\n  - gate: window\n    allow:\n      - schedule: "@often"\n        duration: 1h\n`;
    const lines = linesOf(withPolicy(policy));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^policies\/default\.yaml:5:19: /);
  });
});
