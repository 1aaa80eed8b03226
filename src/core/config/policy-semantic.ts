import { compileExpression, ExpressionError } from "../expr/index.js";
import { getCronError } from "./cron.js";
import type { GateSpec, GateSpecOf } from "./gate-schemas.js";
import type { Diagnostic } from "./loaded.js";
import { diagnosticAt } from "./locate.js";
import type { DataPath, SourceFile } from "./locate.js";
import type { Policy } from "./policy-schema.js";
import { normalizeRepoPath } from "./semantic.js";

/** Checks of a policy file that its shape cannot express. Every finding is located in the file. */

/** True when `timeZone` is an IANA zone this runtime knows (pure: no clock, no I/O). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC at `epochMs`, in milliseconds (positive east of Greenwich). */
export function getTimeZoneOffsetMs(epochMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * Epoch milliseconds of an ISO date-time; one without offset is a wall-clock time in `timeZone`.
 * (Two passes settle the offset across a DST change.)
 */
export function parseZonedDateTime(text: string, timeZone: string): number {
  if (/(Z|[+-]\d\d:\d\d)$/i.test(text)) return Date.parse(text);
  const wall = Date.parse(`${text}Z`);
  const first = wall - getTimeZoneOffsetMs(wall, timeZone);
  return wall - getTimeZoneOffsetMs(first, timeZone);
}

/** The check-run name suffix of a gate: its `name` or its type. */
export function getGateName(gate: GateSpec): string {
  return gate.name ?? gate.gate;
}

interface Ctx {
  file: SourceFile;
  files: ReadonlyMap<string, string>;
  environments: readonly string[];
  out: Diagnostic[];
}

function err(ctx: Ctx, path: DataPath, message: string): void {
  ctx.out.push(diagnosticAt(ctx.file, path, message));
}

function checkPrincipals(ctx: Ctx, path: DataPath, teams: readonly string[], users: readonly string[]): void {
  teams.forEach((team, i) => {
    if (!team.includes("/")) err(ctx, [...path, "teams", i], `${formatGatePath(path)}teams: "${team}" is not a team; write it as org/team-slug, or move it to users`);
  });
  users.forEach((user, i) => {
    if (user.includes("/")) err(ctx, [...path, "users", i], `${formatGatePath(path)}users: "${user}" is a team, not a user; move it to teams`);
  });
}

/** An expression that does not parse is found by `stagegate validate`, not when its gate first runs. */
function checkExpression(ctx: Ctx, path: DataPath, source: string | undefined, what: string): void {
  if (source === undefined) return;
  try {
    compileExpression(source);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    err(ctx, path, `${what}: ${error.message}`);
  }
}

function formatGatePath(path: DataPath): string {
  if (path.length === 0) return "";
  return `${path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? String(s) : `.${String(s)}`)).join("")}.`;
}

function checkMetrics(ctx: Ctx, path: DataPath, gate: Omit<GateSpecOf<"metrics">, "gate">, what: string): void {
  if (!gate.prometheus && !gate.analysisTemplate) {
    err(ctx, path, `${what}: set prometheus (address and query) or analysisTemplate (path of an Argo Rollouts AnalysisTemplate in this repository)`);
    return;
  }
  if (gate.analysisTemplate !== undefined && !ctx.files.has(normalizeRepoPath(gate.analysisTemplate))) {
    err(ctx, [...path, "analysisTemplate"], `${what}: analysisTemplate "${gate.analysisTemplate}" does not exist; it must be a file under policies/ or an environment path`);
  }
  if (!gate.analysisTemplate && gate.successCondition === undefined && gate.failureCondition === undefined) {
    err(ctx, path, `${what}: set successCondition (e.g. result[0] >= 0.99) and/or failureCondition, or use an analysisTemplate`);
  }
  checkExpression(ctx, [...path, "successCondition"], gate.successCondition, `${what}: successCondition`);
  checkExpression(ctx, [...path, "failureCondition"], gate.failureCondition, `${what}: failureCondition`);
}

function checkWindow(ctx: Ctx, path: DataPath, gate: GateSpecOf<"window">, what: string): void {
  const zoneOk = isValidTimeZone(gate.timezone);
  if (!zoneOk) err(ctx, [...path, "timezone"], `${what}: unknown timezone "${gate.timezone}"; use an IANA name such as Europe/Berlin, America/New_York or UTC`);
  const zone = zoneOk ? gate.timezone : "UTC";
  const windows = [...gate.allow.map((w, i) => ({ w, p: [...path, "allow", i] })), ...gate.freezes.map((w, i) => ({ w, p: [...path, "freezes", i] }))];
  for (const { w, p } of windows) {
    if ("schedule" in w) {
      const problem = getCronError(w.schedule);
      if (problem !== undefined) err(ctx, [...p, "schedule"], `${what}: invalid cron schedule "${w.schedule}": ${problem}`);
    } else if (parseZonedDateTime(w.to, zone) <= parseZonedDateTime(w.from, zone)) {
      err(ctx, [...p, "to"], `${what}: freeze ends (to: ${w.to}) before it starts (from: ${w.from}); swap them`);
    }
  }
}

function checkGate(ctx: Ctx, gate: GateSpec, path: DataPath): void {
  const what = `gate "${getGateName(gate)}"`;
  switch (gate.gate) {
    case "approvals": {
      checkPrincipals(ctx, path, gate.teams, gate.users);
      if (gate.teams.length === 0 && gate.users.length > 0 && gate.count > gate.users.length) {
        err(ctx, [...path, "count"], `${what}: count ${gate.count} is more than the ${gate.users.length} user${gate.users.length === 1 ? "" : "s"} listed, so it can never pass; add users or teams, or lower count`);
      }
      break;
    }
    case "metrics":
      checkMetrics(ctx, path, gate, what);
      break;
    case "window":
      checkWindow(ctx, path, gate, what);
      break;
    case "http":
      checkExpression(ctx, [...path, "successCondition"], gate.successCondition, `${what}: successCondition`);
      break;
    case "upstream":
      (gate.environments ?? []).forEach((env, i) => {
        if (!ctx.environments.includes(env)) err(ctx, [...path, "environments", i], `${what}: unknown environment "${env}" (known: ${ctx.environments.join(", ") || "none"})`);
      });
      break;
    default:
      break;
  }
}

function checkGateList(ctx: Ctx, gates: readonly GateSpec[], path: DataPath): void {
  const first = new Map<string, number>();
  gates.forEach((gate, i) => {
    const name = getGateName(gate);
    const earlier = first.get(name);
    if (earlier !== undefined) {
      err(ctx, [...path, i], `gate "${name}" appears twice (also ${path.join(".")}[${earlier}]), so both would report the check stagegate/${name}; set a different name: on one of them`);
    } else first.set(name, i);
    checkGate(ctx, gate, [...path, i]);
  });
}

/**
 * Every semantic check of a shape-valid policy. `environments` are the names in stagegate.yaml
 * (empty when it is invalid); `files` is the snapshot, for referenced AnalysisTemplates.
 */
export function checkPolicySemantics(file: SourceFile, policy: Policy, environments: readonly string[], files: ReadonlyMap<string, string>): Diagnostic[] {
  const ctx: Ctx = { file, files, environments, out: [] };
  checkGateList(ctx, policy.gates, ["gates"]);
  checkGateList(ctx, policy.rollback.gates, ["rollback", "gates"]);
  if (policy.verification?.metrics) checkMetrics(ctx, ["verification", "metrics"], policy.verification.metrics, "verification.metrics");
  checkExpression(ctx, ["verification", "health", "expect"], policy.verification?.health?.expect, "verification.health.expect");
  if (policy.overrides) {
    checkPrincipals(ctx, ["overrides"], policy.overrides.teams, policy.overrides.users);
    const names = policy.gates.map(getGateName);
    (policy.overrides.gates ?? []).forEach((gate, i) => {
      if (!names.includes(gate)) {
        err(ctx, ["overrides", "gates", i], `overrides.gates: "${gate}" is not a gate of this policy (gates: ${names.join(", ") || "none"})`);
      }
    });
  }
  if (policy.reviewers) checkPrincipals(ctx, ["reviewers"], policy.reviewers.teams, policy.reviewers.users);
  return ctx.out;
}
