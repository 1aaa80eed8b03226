import type { Finding, Severity, VulnerabilityFacts } from "./facts.js";
import { parseCodeScanningAlerts, parseReport } from "./vulnerability-reports.js";
import { result, type GateEvaluator } from "./types.js";

const LEVELS = ["critical", "high", "medium", "low"] as const satisfies readonly Severity[];

type Source = { ok: true; name: string; findings: Finding[] } | { ok: false; reason: string };

function fromReports(reports: NonNullable<VulnerabilityFacts["reports"]>): Source {
  const findings: Finding[] = [];
  for (const report of reports) {
    // A report the artifact links but that could not be fetched fails the gate: it may hold the findings that matter.
    if (report.error !== undefined) return { ok: false, reason: `${report.source}: ${report.error}` };
    if (report.findings) {
      findings.push(...report.findings);
      continue;
    }
    try {
      findings.push(...parseReport(report.document).findings);
    } catch (error) {
      return { ok: false, reason: `${report.source}: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { ok: true, name: reports.map((r) => r.source).join(", "), findings };
}

/** `vulnerabilities`: findings per severity (minus `ignore`) are within `max`. */
export const evaluateVulnerabilities: GateEvaluator<"vulnerabilities"> = (spec, facts) => {
  const vulns = facts.vulnerabilities;
  const reports = vulns?.reports && vulns.reports.length > 0 ? vulns.reports : undefined;
  const alerts = vulns?.codeScanningAlerts;
  let source: Source | undefined;
  if ((spec.source === "report" || spec.source === "any") && reports) source = fromReports(reports);
  else if ((spec.source === "code-scanning" || spec.source === "any") && alerts) source = { ok: true, name: vulns?.codeScanningSource ? `code scanning alerts of ${vulns.codeScanningSource}` : "code scanning alerts", findings: parseCodeScanningAlerts(alerts) };

  if (!source) {
    const why = vulns?.error ?? (spec.source === "code-scanning" ? "no code scanning alerts available" : "the artifact links no scan report");
    return result(spec, {
      conclusion: spec.requireReport ? "failure" : "neutral",
      summary: `no vulnerability data: ${why}`,
      details: spec.requireReport ? "The policy requires a scan (`requireReport: true`). Attach a SARIF or Trivy JSON report to the artifact (`scanUrl`) or enable code scanning." : "No scan to check; the policy allows that (`requireReport: false`).",
    });
  }
  if (!source.ok) return result(spec, { conclusion: "failure", summary: "the scan report cannot be read", details: source.reason });

  const ignore = new Set(spec.ignore.map((i) => i.toLowerCase()));
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, none: 0 };
  const ignored: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, none: 0 };
  for (const finding of source.findings) (ignore.has(finding.id.toLowerCase()) ? ignored : counts)[finding.severity]++;
  const over = LEVELS.filter((level) => spec.max[level] !== undefined && counts[level] > spec.max[level]!);
  const rows = LEVELS.map((l) => `| ${l} | ${over.includes(l) ? `**${counts[l]}**` : counts[l]} | ${ignored[l]} | ${spec.max[l] ?? "∞"} |`);
  const worst = source.findings
    .filter((f) => over.includes(f.severity as (typeof LEVELS)[number]) && !ignore.has(f.id.toLowerCase()))
    .slice(0, 20)
    .map((f) => `- ${f.severity} \`${f.id}\`${f.where ? ` in ${f.where}` : ""}${f.title ? `: ${f.title}` : ""}`);
  const details = [`Source: ${source.name}`, "", "| severity | found | ignored | max |", "|---|---|---|---|", ...rows, ...(worst.length ? ["", ...worst] : [])].join("\n");
  const evidence = { source: source.name, counts, ignored, max: spec.max };
  const tally = LEVELS.map((l) => `${counts[l]} ${l}`).join(", ");
  if (over.length > 0) {
    return result(spec, { conclusion: "failure", summary: `over the limit: ${over.map((l) => `${counts[l]} ${l} (max ${spec.max[l]})`).join(", ")}`, details, evidence });
  }
  return result(spec, { conclusion: "success", summary: `within limits: ${tally}`, details, evidence });
};
