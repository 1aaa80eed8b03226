/** Renderers of the control mapping (`stagegate audit --by-control`): Markdown, JSON, CSV and an HTML section. */
import { cell, code, escapeText } from "../evidence/markdown.js";
import type { ControlPromotion, ControlReport, ControlSection } from "./controls.js";
import { escapeHtml } from "./render-html.js";
import { csvField } from "./render-text.js";

const gatesText = (p: ControlPromotion) => p.gates.map((g) => `${g.name}: ${g.result}`).join(", ");
const period = (r: ControlReport) => (r.from ? `from ${r.from} to ${r.to}` : "no change in the period");
const countsText = (s: ControlSection) => `${s.promotions.length} changes: ${s.counts.satisfied} satisfied, ${s.counts.exception} exceptions, ${s.counts.failed} failed, ${s.counts["no-evidence"]} without evidence`;

/** Markdown: one section per control, its changes, then its exceptions. */
export function renderControlsMarkdown(report: ControlReport): string {
  const lines = [`# Stagegate evidence by control${report.branch ? ` (${escapeText(report.branch)})` : ""}`, "", `${report.controls.length} controls, ${period(report)}.`, ""];
  if (report.controls.length === 0) lines.push("No policy describes a control and no gate names one (`controls:`).", "");
  for (const section of report.controls) {
    lines.push(`## ${escapeText(section.id)}`, "");
    if (section.description) lines.push(escapeText(section.description), "");
    lines.push(`Environments: ${section.environments.map(code).join(", ")}. ${countsText(section)}.`, "");
    if (section.promotions.length > 0) {
      lines.push("| time | environment | service | digest | kind | PR | approved by | gates | status |", "|---|---|---|---|---|---|---|---|---|");
      for (const p of section.promotions) {
        lines.push(`| ${code(p.time)} | ${cell(escapeText(p.environment))} | ${cell(escapeText(p.service))} | ${p.digest ? code(p.digest.slice(0, 19)) : ""} | ${p.kind} | ${p.pr !== undefined ? `#${p.pr}` : ""} | ${cell(escapeText(p.approvedBy.join(", ")))} | ${cell(escapeText(gatesText(p)))} | ${p.status} |`);
      }
      lines.push("");
    }
    lines.push(`### Exceptions (${section.exceptions.length})`, "");
    if (section.exceptions.length === 0) lines.push("None.", "");
    for (const e of section.exceptions) {
      lines.push(`- ${code(e.time)} **${e.type}** ${escapeText(e.service)} in ${escapeText(e.environment)} (${code(e.commit.slice(0, 12))}${e.pr !== undefined ? `, #${e.pr}` : ""})${e.gate ? ` gate ${code(e.gate)}` : ""}${e.by ? ` by ${escapeText(e.by)}` : ""}: ${escapeText(e.reason)}`);
    }
    if (section.exceptions.length > 0) lines.push("");
  }
  lines.push(`## History and evidence integrity (${report.integrity.length})`, "");
  if (report.integrity.length === 0) lines.push("No finding.", "");
  for (const f of report.integrity) lines.push(`- **${f.severity}** ${f.kind}: ${escapeText(f.message)}`);
  return `${lines.join("\n")}\n`;
}

/** JSON: the report as is. */
export function renderControlsJson(report: ControlReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const CSV_HEADER = ["control", "record", "time", "environment", "service", "digest", "kind", "commit", "pr", "approved_by", "gates", "status", "gate", "by", "reason"];

/** CSV: one line per (control, change) with record `change`, per (control, exception) with record `override`/`bypass`, and per integrity finding with record `integrity`. */
export function renderControlsCsv(report: ControlReport): string {
  const lines = [CSV_HEADER.join(",")];
  for (const s of report.controls) {
    for (const p of s.promotions) lines.push([s.id, "change", p.time, p.environment, p.service, p.digest ?? "", p.kind, p.commit, p.pr?.toString() ?? "", p.approvedBy.join(" "), gatesText(p), p.status, "", "", ""].map(csvField).join(","));
    for (const e of s.exceptions) lines.push([s.id, e.type, e.time, e.environment, e.service, "", "", e.commit, e.pr?.toString() ?? "", "", "", "exception", e.gate ?? "", e.by ?? "", e.reason].map(csvField).join(","));
  }
  // Findings on the history and the evidence themselves: no control, record `integrity`, kind and severity in kind/status.
  for (const f of report.integrity) lines.push(["", "integrity", f.time ?? "", f.environment ?? "", f.service ?? "", "", f.kind, f.commit ?? "", "", "", "", f.severity, "", "", f.message].map(csvField).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** HTML `<section>` for the self-contained audit report (styles come from the report's stylesheet). */
export function renderControlsHtml(report: ControlReport): string {
  const parts = [`<section id="controls"><h2>Evidence by control</h2><p>${escapeHtml(`${report.controls.length} controls, ${period(report)}.`)}</p>`];
  for (const s of report.controls) {
    parts.push(`<h3>${escapeHtml(s.id)}</h3>`);
    if (s.description) parts.push(`<p>${escapeHtml(s.description)}</p>`);
    parts.push(`<p>${escapeHtml(`Environments: ${s.environments.join(", ")}. ${countsText(s)}.`)}</p>`);
    if (s.promotions.length > 0) {
      parts.push(`<table><thead><tr><th>time</th><th>environment</th><th>service</th><th>kind</th><th>PR</th><th>approved by</th><th>gates</th><th>status</th></tr></thead><tbody>`);
      for (const p of s.promotions) {
        const cells = [p.time, p.environment, p.service, p.kind, p.pr !== undefined ? `#${p.pr}` : "", p.approvedBy.join(", "), gatesText(p), p.status];
        parts.push(`<tr class="control-${p.status}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`);
      }
      parts.push(`</tbody></table>`);
    }
    parts.push(`<h4>Exceptions (${s.exceptions.length})</h4>`);
    if (s.exceptions.length > 0) {
      parts.push(`<ul>${s.exceptions.map((e) => `<li>${escapeHtml(`${e.time} ${e.type} ${e.service} in ${e.environment} (${e.commit.slice(0, 12)}${e.pr !== undefined ? `, #${e.pr}` : ""})${e.gate ? ` gate ${e.gate}` : ""}${e.by ? ` by ${e.by}` : ""}: ${e.reason}`)}</li>`).join("")}</ul>`);
    } else parts.push(`<p>None.</p>`);
  }
  parts.push(`</section>`);
  return parts.join("");
}
