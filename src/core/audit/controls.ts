/**
 * Compliance control mapping (`stagegate audit --by-control`): which promotions a control covers,
 * which gates evidenced it on each, and the exceptions (overrides, bypasses) listed apart. Pure:
 * the catalog comes from the configuration at the tip of the audited branch, the rows from the audit.
 */
import { getPolicy, type LoadedConfig } from "../config/index.js";
import { gatesFor } from "../plan/index.js";
import type { AuditResult, AuditRow, ChangeKind, Finding, FindingKind, GateResult } from "./types.js";

/** Controls described by the policies and referenced by their gates, and where each applies. */
export interface ControlCatalog {
  /** Control id → description (when a policy describes it) and the environments it covers. */
  controls: Map<string, { description?: string; environments: Set<string> }>;
  /** Environment → gate name (check suffix) → the controls that gate satisfies. */
  gateControls: Map<string, Map<string, string[]>>;
}

/**
 * Builds the catalog. A control a policy describes WITH `environments` covers exactly those; otherwise
 * it covers the environments using a policy that describes it, plus those whose policy has a gate
 * (promotion or rollback gates) naming it in `controls:`.
 */
export function buildControlCatalog(loaded: LoadedConfig): ControlCatalog {
  const controls: ControlCatalog["controls"] = new Map();
  const gateControls: ControlCatalog["gateControls"] = new Map();
  const scoped = new Set<string>();
  const entry = (id: string) => {
    let found = controls.get(id);
    if (!found) controls.set(id, (found = { environments: new Set() }));
    return found;
  };
  const policies = loaded.config.environments.map((env) => ({ env: env.name, policy: getPolicy(loaded, env) }));
  for (const { env, policy } of policies) {
    for (const [id, control] of Object.entries(policy.controls ?? {})) {
      const target = entry(id);
      target.description ??= control.description;
      if (control.environments) scoped.add(id);
      for (const name of control.environments ?? [env]) target.environments.add(name);
    }
  }
  for (const { env, policy } of policies) {
    const byGate = new Map<string, string[]>();
    for (const gate of [...gatesFor(policy, "promotion"), ...gatesFor(policy, "rollback")]) {
      const name = gate.name ?? gate.gate;
      const ids = [...new Set([...(byGate.get(name) ?? []), ...(gate.controls ?? [])])];
      if (ids.length > 0) byGate.set(name, ids);
      for (const id of gate.controls ?? []) if (!scoped.has(id)) entry(id).environments.add(env);
    }
    gateControls.set(env, byGate);
  }
  return { controls, gateControls };
}

/**
 * - `satisfied`: every gate mapped to the control passed (success or neutral) on the promotion.
 * - `exception`: a mapped gate was overridden, or the change bypassed Stagegate (listed in exceptions).
 * - `failed`: a mapped gate failed or was still running when the change landed.
 * - `no-evidence`: a Stagegate change whose evidence names none of the control's gates.
 */
export type ControlStatus = "satisfied" | "exception" | "failed" | "no-evidence";

/** One change to an environment the control covers. */
export interface ControlPromotion {
  time: string;
  environment: string;
  service: string;
  digest?: string;
  kind: ChangeKind;
  commit: string;
  pr?: number;
  approvedBy: string[];
  /** The control's gates as recorded on this change. */
  gates: { name: string; result: GateResult }[];
  status: ControlStatus;
}

/** An override of one of the control's gates, or a change that bypassed Stagegate. */
export interface ControlException {
  type: "override" | "bypass" | "separation-of-duties";
  time: string;
  environment: string;
  service: string;
  commit: string;
  pr?: number;
  gate?: string;
  by?: string;
  reason: string;
}

export interface ControlSection {
  id: string;
  description?: string;
  environments: string[];
  promotions: ControlPromotion[];
  exceptions: ControlException[];
  counts: Record<ControlStatus, number>;
}

export interface ControlReport {
  branch: string;
  from?: string;
  to?: string;
  controls: ControlSection[];
  /**
   * Findings about the history and the evidence themselves (rewritten branch or notes, notes edited or
   * unreadable, bad signatures): no control owns them, and a report by control must not drop them.
   */
  integrity: Finding[];
}

/** Finding kinds that concern the record itself rather than one change under a control. */
const INTEGRITY_KINDS: ReadonlySet<FindingKind> = new Set(["force-push", "notes-rewritten", "note-edited", "invalid-note", "missing-note", "evidence-mismatch", "unsigned", "bad-signature"]);

/** Changes that reached the branch without Stagegate's evidence (the audit reports them as bypass findings too). */
const BYPASS_KINDS: ReadonlySet<ChangeKind> = new Set(["hand-made", "direct-push", "removal", "revert"]);
const PASSING: ReadonlySet<GateResult> = new Set(["success", "neutral"]);
/** The gate whose evidence separation of duties qualifies: a violation fails the controls mapped to it. */
const APPROVALS_GATE = "approvals";

/**
 * A change's status under one control: `expected` are the gates the control maps in the change's
 * environment, `gates` those of them the evidence records. Every expected gate must be recorded and
 * must have passed; a skipped or missing one is no evidence, an approval that broke separation of
 * duties is a failure.
 */
function statusOf(row: AuditRow, gates: ControlPromotion["gates"], expected: readonly string[]): ControlStatus {
  if (BYPASS_KINDS.has(row.kind) || row.kind === "initial") return "exception";
  if (gates.some((g) => g.result === "overridden")) return "exception";
  if (gates.some((g) => !PASSING.has(g.result) && g.result !== "skipped")) return "failed";
  if (row.duties === "violated" && expected.includes(APPROVALS_GATE)) return "failed";
  const passed = new Set(gates.filter((g) => PASSING.has(g.result)).map((g) => g.name));
  return expected.length > 0 && expected.every((name) => passed.has(name)) ? "satisfied" : "no-evidence";
}

function bypassReason(row: AuditRow): string {
  const what = { "direct-push": "pushed directly to the branch", removal: "image reference removed outside Stagegate", revert: "reverted outside Stagegate", initial: "image reference added outside Stagegate" }[row.kind as string] ?? "changed by a pull request Stagegate did not open";
  return `${what}; no gate evidence`;
}

/**
 * Groups the audit's rows by control. Initial imports (the root commit's references) are not
 * promotions and are left out; every other change in a covered environment is listed, in the audit's
 * order, a service first added outside Stagegate included.
 */
export function groupByControl(result: AuditResult, catalog: ControlCatalog): ControlReport {
  const sections: ControlSection[] = [];
  // A service's first reference is an import in the root commit, else a change made outside Stagegate
  // (the audit's bypass finding says which): the latter is listed like any other bypass.
  const key = (commit: string | undefined, environment: string | undefined, service: string | undefined) => `${commit}\u0000${environment}\u0000${service}`;
  const bypassed = new Set(result.findings.filter((f) => f.kind === "bypass").map((f) => key(f.commit, f.environment, f.service)));
  for (const [id, control] of [...catalog.controls].sort(([a], [b]) => a.localeCompare(b))) {
    const promotions: ControlPromotion[] = [];
    const exceptions: ControlException[] = [];
    for (const row of result.rows) {
      if (!control.environments.has(row.environment) || (row.kind === "initial" && !bypassed.has(key(row.commit, row.environment, row.service)))) continue;
      const mapped = catalog.gateControls.get(row.environment);
      const gates = row.gates.filter((g) => mapped?.get(g.name)?.includes(id));
      const expected = [...(mapped ?? [])].filter(([, ids]) => ids.includes(id)).map(([gate]) => gate);
      const status = statusOf(row, gates, expected);
      const at = { time: row.time, environment: row.environment, service: row.service, commit: row.commit, ...(row.pr !== undefined ? { pr: row.pr } : {}) };
      promotions.push({ ...at, ...(row.digest ? { digest: row.digest } : {}), kind: row.kind, approvedBy: row.approvedBy, gates, status });
      if (BYPASS_KINDS.has(row.kind) || row.kind === "initial") exceptions.push({ type: "bypass", ...at, reason: bypassReason(row) });
      if (row.duties === "violated" && expected.includes(APPROVALS_GATE)) exceptions.push({ type: "separation-of-duties", ...at, reason: row.dutiesViolations.join("; ") });
      for (const override of row.overrides) {
        if (mapped?.get(override.gate)?.includes(id)) exceptions.push({ type: "override", ...at, gate: override.gate, by: override.by, reason: override.reason });
      }
    }
    const counts: Record<ControlStatus, number> = { satisfied: 0, exception: 0, failed: 0, "no-evidence": 0 };
    for (const p of promotions) counts[p.status]++;
    sections.push({ id, ...(control.description ? { description: control.description } : {}), environments: [...control.environments].sort(), promotions, exceptions, counts });
  }
  const { branch, from, to } = result.summary;
  return { branch, ...(from ? { from } : {}), ...(to ? { to } : {}), controls: sections, integrity: result.findings.filter((f) => INTEGRITY_KINDS.has(f.kind)) };
}
