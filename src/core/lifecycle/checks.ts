import type { CheckReport } from "../ports/checks.js";

/** Fields compared to decide whether a check must be written again (the summary text is included: reasons change). */
function sameCheck(a: CheckReport, b: CheckReport): boolean {
  return a.status === b.status && a.conclusion === b.conclusion && a.title === b.title && a.summary === b.summary && a.nextEvaluationAt === b.nextEvaluationAt;
}

/** The checks of `desired` that differ from (or are missing in) `existing`: only these are written. */
export function changedChecks(existing: readonly CheckReport[], desired: readonly CheckReport[]): CheckReport[] {
  const byName = new Map(existing.map((c) => [c.name, c]));
  return desired.filter((c) => {
    const current = byName.get(c.name);
    return !current || !sameCheck(current, c);
  });
}

/** True when a check is completed with success (branch protection's condition on the summary check). */
export function isGreen(check: CheckReport | undefined): boolean {
  return check?.status === "completed" && check.conclusion === "success";
}
