/**
 * Network probes of the gates that measure something outside GitHub and git (DESIGN.md §3): `metrics`
 * (Prometheus, Argo Rollouts analysis semantics) and `http`, and the metrics analysis of verification.
 * Runs inside every evaluation, so it never waits long: at most ONE measurement per metric per call
 * (when `isMeasurementDue`), the tick takes the next. Measurements live in the check run that shows the
 * analysis (core/gates/measurement-store.ts), so a replica, a restart or a local clone resumes them.
 */
import { fetchHttpCheck, fetchScanReport, measurePrometheus, type ScanReportAccess, type ScanReportResult } from "../adapters/http/index.js";
import type { GateSpec, GateSpecOf } from "../core/config/index.js";
import type { HttpFact, MeasurementFact, MetricFacts } from "../core/gates/facts.js";
import { appendMeasurement, encodeMeasurementBlock, maxRetained, metricFingerprint, readMeasurementBlock, type MeasurementRecord } from "../core/gates/measurement-store.js";
import { isMeasurementDue } from "../core/gates/metric-analysis.js";
import { resolveMetricSpec, type MetricSpec, type MetricTarget } from "../core/gates/metric-spec.js";
import { evaluateMetrics } from "../core/gates/metrics.js";
import { gateName, type GateResult } from "../core/gates/types.js";
import type { CheckReport } from "../core/ports/checks.js";
import type { LifecycleDeps } from "./lifecycle-deps.js";

/** The I/O behind metrics and http gates; tests inject fakes, the default is the real adapters (adapters/http). */
export interface Probes {
  /** One instant query as a measurement; never throws (errors, SSRF refusals and timeouts become error measurements). */
  measurePrometheus(spec: MetricSpec, options: { now: Date; timeoutMs: number }): Promise<MeasurementFact>;
  /** The http gate's request through the SSRF guard; never throws (the fact carries the error). */
  fetchHttpCheck(spec: GateSpecOf<"http">, target: MetricTarget, options: { now: Date }): Promise<HttpFact>;
  /** The scan report an artifact links (vulnerabilities gate), parsed JSON; never throws. Default: the real fetch. */
  fetchScanReport?(url: string, access?: ScanReportAccess): Promise<ScanReportResult>;
}

/** Prometheus queries inside an evaluation wait at most this long (a webhook is being answered). */
export const PROBE_TIMEOUT_MS = 10_000;

/** The real adapters: Prometheus' HTTP API and fetch, both behind the SSRF guard. */
export const defaultProbes: Probes = {
  measurePrometheus: (spec, options) => measurePrometheus(spec, options),
  fetchHttpCheck: (spec, target, options) => fetchHttpCheck(spec, target, { now: () => options.now }),
  fetchScanReport: (url, access) => fetchScanReport(url, access),
};

/** What the probes found for the gates of one evaluation. */
export interface ProbedFacts {
  metrics: Record<string, MetricFacts>;
  http: Record<string, HttpFact>;
  /** Gate name → text to put at the top of its check summary (the measurement block, and why a stored one was ignored). */
  blocks: Map<string, string>;
  /** Gate names of http gates: their checks are rewritten only when the verdict changes (see {@link keepStableHttpChecks}). */
  httpGates: Set<string>;
}

interface MetricRun {
  record: MeasurementRecord;
  block: string;
  measured: boolean;
}

/** Reads the stored measurements of one metric, takes one when due, and returns the record and its block. */
async function advanceMetric(deps: LifecycleDeps, spec: MetricSpec, stored: string | undefined, key: string, now: Date): Promise<MetricRun> {
  const fingerprint = metricFingerprint(spec);
  const read = readMeasurementBlock(stored, { key, fingerprint, now, maxEntries: maxRetained(spec) });
  let record: MeasurementRecord = { key, fingerprint, measurements: read.measurements };
  let measured = false;
  let due = false;
  try {
    due = isMeasurementDue(spec, record.measurements, now);
  } catch {
    // A condition that does not compile: the gate reports the misconfiguration; measuring would not help.
  }
  if (due) {
    const measurement = await (deps.probes ?? defaultProbes).measurePrometheus(spec, { now, timeoutMs: PROBE_TIMEOUT_MS });
    record = appendMeasurement(spec, record, measurement);
    measured = true;
  }
  const note = read.ignored ? `\n\n> ⚠️ ${read.ignored}.` : "";
  return { record, block: `${encodeMeasurementBlock(record)}${note}`, measured };
}

/**
 * Facts of the `metrics` and `http` gates among `gates`: for each metrics gate, the measurements stored
 * in its check (`checkName(gate)` among `existing`) for `key` (the PR head), plus one new measurement
 * when due; for each http gate, the response fetched now. A gate whose metric cannot be resolved (bad
 * AnalysisTemplate, missing arg) is not probed: the gate itself reports why.
 */
export async function probeGates(
  deps: LifecycleDeps,
  input: { gates: readonly GateSpec[]; target: MetricTarget; key: string; files: ReadonlyMap<string, string>; existing: readonly CheckReport[]; checkName: (gate: string) => string },
): Promise<ProbedFacts> {
  const now = deps.clock.now();
  const out: ProbedFacts = { metrics: {}, http: {}, blocks: new Map(), httpGates: new Set() };
  await Promise.all(
    input.gates.map(async (gate) => {
      const name = gateName(gate);
      if (gate.gate === "http") {
        out.httpGates.add(name);
        out.http[name] = await (deps.probes ?? defaultProbes).fetchHttpCheck(gate, input.target, { now });
        return;
      }
      if (gate.gate !== "metrics") return;
      const template = gate.analysisTemplate !== undefined ? input.files.get(gate.analysisTemplate) : undefined;
      const base: MetricFacts = { measurements: [], ...(template !== undefined ? { analysisTemplate: template } : {}) };
      let spec: MetricSpec;
      try {
        spec = resolveMetricSpec(gate, input.target, template);
      } catch {
        out.metrics[name] = base;
        return;
      }
      const stored = input.existing.find((c) => c.name === input.checkName(name))?.summary;
      const run = await advanceMetric(deps, spec, stored, input.key, now);
      out.metrics[name] = { ...base, measurements: run.record.measurements };
      out.blocks.set(name, run.block);
    }),
  );
  return out;
}

/** Puts each metrics gate's measurement block at the top of its details (hidden in the rendered Markdown). */
export function withMeasurementBlocks(results: readonly GateResult[], blocks: ReadonlyMap<string, string>): GateResult[] {
  return results.map((r) => {
    const block = blocks.get(r.gate);
    return block === undefined ? r : { ...r, details: `${block}\n\n${r.details}` };
  });
}

/**
 * An http gate's details carry the time of the request, which is new on every evaluation: its check is
 * rewritten only when status, conclusion or title change, so an unchanged answer costs no write.
 */
export function keepStableHttpChecks(existing: readonly CheckReport[], desired: readonly CheckReport[], httpCheckNames: ReadonlySet<string>): CheckReport[] {
  const byName = new Map(existing.map((c) => [c.name, c]));
  return desired.map((c) => {
    const current = byName.get(c.name);
    if (!httpCheckNames.has(c.name) || !current) return c;
    const same = current.status === c.status && current.conclusion === c.conclusion && current.title === c.title && current.nextEvaluationAt === c.nextEvaluationAt;
    return same ? { ...c, summary: current.summary } : c;
  });
}

/** Name of the check on a deployment's commit that shows its verification metrics analysis. */
export function verificationCheckName(environment: string, service: string): string {
  return `stagegate/verification/${environment}/${service}`;
}

/** Where one verification analysis stands. */
export interface VerificationAnalysis {
  /** `running` until count measurements are done or a limit is crossed. */
  conclusion: GateResult["conclusion"];
  /** One line for the deployment status. */
  summary: string;
}

/**
 * Advances `verification.metrics` of a deployment by at most one measurement (DESIGN.md §2 step 5):
 * measurements are kept, keyed by the deployment id, in the check `stagegate/verification/<env>/<service>`
 * on the deployment's commit, which is rewritten only when it changes. Judged like the metrics gate.
 */
export async function analyzeVerificationMetrics(
  deps: LifecycleDeps,
  input: { deployment: { id: string; ref: string; environment: string; service: string; digest: string }; metrics: Omit<GateSpecOf<"metrics">, "gate">; files: ReadonlyMap<string, string>; upstream: string[] },
): Promise<VerificationAnalysis> {
  const { deployment } = input;
  const gate: GateSpecOf<"metrics"> = { gate: "metrics", ...input.metrics };
  const target: MetricTarget = { environment: deployment.environment, service: deployment.service, digest: deployment.digest };
  const name = verificationCheckName(deployment.environment, deployment.service);
  const existing = await deps.checks.listChecks(deployment.ref);
  const probed = await probeGates(deps, { gates: [gate], target, key: deployment.id, files: input.files, existing, checkName: () => name });
  const now = deps.clock.now();
  const [result] = withMeasurementBlocks([evaluateMetrics(gate, { deployments: [], metrics: probed.metrics }, { now, ...target, upstream: input.upstream })], probed.blocks);
  const report: CheckReport =
    result!.conclusion === "pending"
      ? { name, status: "in_progress", title: `verification metrics: ${result!.summary}`, summary: result!.details, ...(result!.nextEvaluationAt ? { nextEvaluationAt: result!.nextEvaluationAt } : {}) }
      : { name, status: "completed", conclusion: result!.conclusion, title: `verification metrics: ${result!.summary}`, summary: result!.details };
  const current = existing.find((c) => c.name === name);
  const changed = !current || current.status !== report.status || current.conclusion !== report.conclusion || current.title !== report.title || current.summary !== report.summary || current.nextEvaluationAt !== report.nextEvaluationAt;
  if (changed) await deps.checks.writeChecks(deployment.ref, [report]);
  return { conclusion: result!.conclusion, summary: result!.summary };
}
