import type { GateType } from "../config/gate-schemas.js";
import { evaluateApprovals } from "./approvals.js";
import { evaluateHttp } from "./http.js";
import { evaluateMetrics } from "./metrics.js";
import { evaluateProvenance } from "./provenance.js";
import { evaluateSoak } from "./soak.js";
import { evaluateSourceChecks } from "./source-checks.js";
import { evaluateUpstream } from "./upstream.js";
import { evaluateVulnerabilities } from "./vulnerabilities.js";
import { evaluateWindow } from "./window.js";
import type { GateEvaluator } from "./types.js";

/** Every gate type → its evaluator. A new gate: one file, one line here, one schema in config/gate-schemas.ts. */
export const GATE_EVALUATORS: { readonly [T in GateType]: GateEvaluator<T> } = {
  upstream: evaluateUpstream,
  soak: evaluateSoak,
  "source-checks": evaluateSourceChecks,
  vulnerabilities: evaluateVulnerabilities,
  metrics: evaluateMetrics,
  window: evaluateWindow,
  approvals: evaluateApprovals,
  http: evaluateHttp,
  provenance: evaluateProvenance,
};
