/**
 * The HTML audit report: ONE self-contained page (inline CSS and SVG, no script, no external asset)
 * that an auditor can archive or attach to a ticket. Every value from git is HTML-escaped. The table
 * breaks lines where they read well (headers at `_`, times before the clock, sources after `@`; ids
 * never), which keeps it near a laptop window's width and, printed, within an A4 landscape page.
 */
import { tableColumns } from "./columns.js";
import type { DoraReport } from "./dora.js";
import { scopeLines, signaturesLine } from "./render-text.js";
import type { AuditResult } from "./types.js";

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.summary{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:120px}
.card b{display:block;font-size:20px}.card span{color:#59636e;font-size:12px}
.band-elite{color:#1a7f37}.band-high{color:#0969da}.band-medium{color:#9a6700}.band-low{color:#cf222e}
table{border-collapse:collapse;width:100%;font-size:12px}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}td.mono{font-family:ui-monospace,monospace}
tr.k-direct-push td,tr.k-hand-made td,tr.k-revert td,tr.k-removal td{background:#fff8c5}
.sev-high{color:#cf222e;font-weight:600}.sev-medium{color:#9a6700;font-weight:600}.sev-low{color:#59636e}
.charts{display:flex;flex-wrap:wrap;gap:16px}.charts figure{margin:0}.charts figcaption{font-size:12px;color:#59636e}
.warn{background:#fff8c5;border:1px solid #d4a72c;padding:6px 10px;border-radius:6px}
td.mono{white-space:nowrap}
@media print{@page{size:A4 landscape;margin:10mm}body{margin:0;font-size:11px}table{font-size:8.5px}th,td{padding:2px 4px}th{position:static}tr,figure,.card{break-inside:avoid}}
`;

const MONO = new Set(["digest", "previous", "commit", "source"]);

/** Renders the audit (and the DORA report of the same history) as one HTML page; `sections` (trusted HTML, e.g. the control mapping) follow the findings. */
export function renderHtml(result: AuditResult, dora: DoraReport | undefined, title = "Stagegate audit", sections: readonly string[] = []): string {
  const { rows, findings, summary } = result;
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`);
  parts.push(`<title>${escapeHtml(title)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<header><h1>${escapeHtml(title)}${summary.branch ? ` — ${escapeHtml(summary.branch)}` : ""}</h1>`);
  parts.push(`<p>${summary.from ? `From ${escapeHtml(summary.from)} to ${escapeHtml(summary.to ?? "")}. ` : ""}Environments: ${escapeHtml(summary.environments.join(", ") || "none")}. Services: ${escapeHtml(summary.services.join(", ") || "none")}.${summary.signatures ? ` ${escapeHtml(signaturesLine(summary) ?? "")}` : ""}</p>`);
  for (const line of scopeLines(summary, (text) => `<code>${escapeHtml(text)}</code>`)) parts.push(`<p class="scope">${line}</p>`);
  parts.push(`<section class="summary" aria-label="Summary">`);
  parts.push(card(String(summary.rows), "changes"));
  for (const [kind, count] of Object.entries(summary.byKind)) parts.push(card(String(count), kind));
  parts.push(card(String(summary.findings), "findings"));
  if (dora) {
    parts.push(card(`${dora.deploymentFrequency.perWeek.toFixed(1)}/wk`, `deployment frequency (${dora.deploymentFrequency.band})`, dora.deploymentFrequency.band));
    parts.push(card(formatMs(dora.leadTime.medianMs), `median lead time (${dora.leadTime.band})`, dora.leadTime.band));
    parts.push(card(dora.changeFailureRate.rate === undefined ? "–" : `${(dora.changeFailureRate.rate * 100).toFixed(1)}%`, `change failure rate (${dora.changeFailureRate.band})`, dora.changeFailureRate.band));
    parts.push(card(formatMs(dora.timeToRestore.medianMs), `median time to restore (${dora.timeToRestore.band})`, dora.timeToRestore.band));
  }
  parts.push(`</section></header>`);
  for (const warning of summary.warnings) parts.push(`<p class="warn">${escapeHtml(warning)}</p>`);

  if (dora && dora.weekly.length > 0) {
    parts.push(`<section><h2>DORA weekly series</h2><p>${escapeHtml(`${dora.environments.join(", ") || "all environments"}, ${dora.window.from.slice(0, 10)} to ${dora.window.to.slice(0, 10)}`)}</p><div class="charts">`);
    parts.push(barChart("Deployments per week", dora.weekly.map((w) => ({ label: w.week, value: w.deployments, mark: w.failures })), (v) => String(v)));
    parts.push(barChart("Median lead time (hours)", dora.weekly.map((w) => ({ label: w.week, value: (w.medianLeadTimeMs ?? 0) / 3_600_000 })), (v) => v.toFixed(1)));
    parts.push(barChart("Change failure rate (%)", dora.weekly.map((w) => ({ label: w.week, value: w.changes ? (100 * w.failures) / w.changes : 0 })), (v) => v.toFixed(0)));
    parts.push(`</div></section>`);
  }

  parts.push(`<section><h2>Changes</h2>`);
  if (rows.length === 0) parts.push(`<p>No change in the selected range.</p>`);
  else {
    const columns = tableColumns(summary);
    parts.push(`<table><thead><tr>${columns.map((c) => `<th scope="col">${breakAfter(escapeHtml(c.header), "_")}</th>`).join("")}</tr></thead><tbody>`);
    for (const row of rows) {
      parts.push(`<tr class="k-${escapeHtml(row.kind)}">${columns.map((c) => `<td${MONO.has(c.key) ? ` class="mono"` : ""}>${cellHtml(c.key, c.value(row))}</td>`).join("")}</tr>`);
    }
    parts.push(`</tbody></table>`);
  }
  parts.push(`</section><section><h2>Findings</h2>`);
  if (findings.length === 0) parts.push(`<p>No findings.</p>`);
  else {
    parts.push(`<ul>`);
    for (const f of findings) parts.push(`<li><span class="sev-${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span> <b>${escapeHtml(f.kind)}</b>: ${escapeHtml(f.message)}</li>`);
    parts.push(`</ul>`);
  }
  parts.push(`</section>`, ...sections);
  parts.push(`<footer><p>Generated by stagegate audit from git history and refs/notes/stagegate.</p></footer></body></html>\n`);
  return parts.join("\n");
}

/**
 * A cell's HTML: escaped, with line-break opportunities (`<wbr>`, which copies as nothing) where a
 * long value reads well split: a time before its clock, a source after its `@`. Inserted after
 * escaping, at characters escapeHtml never writes.
 */
function cellHtml(key: string, value: string): string {
  const html = escapeHtml(value);
  if (key === "time") return breakAfter(html, "T");
  if (key === "source") return breakAfter(html, "@");
  return html;
}

/** `html` with a `<wbr>` after each `char` (a character that is not part of an escape). */
function breakAfter(html: string, char: string): string {
  return html.includes(char) ? html.split(char).join(`${char}<wbr>`) : html;
}

function card(value: string, label: string, band?: string): string {
  return `<div class="card"><b${band ? ` class="band-${escapeHtml(band)}"` : ""}>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
}

/** Milliseconds as a short human duration. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return "–";
  // Under a minute in seconds: a 20 s restore must not read "0m".
  if (ms < 59_500) return `${Math.round(ms / 1000)}s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${(ms / 86_400_000).toFixed(1)}d`;
}

/** A small bar chart as inline SVG; `mark` draws a red part of the bar (failures). */
export function barChart(title: string, points: { label: string; value: number; mark?: number }[], format: (v: number) => string): string {
  const width = 400;
  const height = 160;
  const pad = { top: 14, bottom: 28, left: 34 };
  const max = Math.max(1, ...points.map((p) => p.value));
  const slot = (width - pad.left) / Math.max(1, points.length);
  const bar = Math.max(1, slot * 0.7);
  const scale = (v: number) => ((height - pad.top - pad.bottom) * v) / max;
  const out: string[] = [];
  out.push(`<figure><svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">`);
  out.push(`<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width}" y2="${height - pad.bottom}" stroke="#d0d7de"/>`);
  out.push(`<text x="${pad.left - 4}" y="${pad.top + 4}" font-size="10" text-anchor="end" fill="#59636e">${escapeHtml(format(max))}</text>`);
  points.forEach((p, i) => {
    const x = pad.left + i * slot + (slot - bar) / 2;
    const h = scale(p.value);
    const y = height - pad.bottom - h;
    out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="#0969da"><title>${escapeHtml(`${p.label}: ${format(p.value)}`)}</title></rect>`);
    if (p.mark) {
      const mh = scale(p.mark);
      out.push(`<rect x="${x.toFixed(1)}" y="${(height - pad.bottom - mh).toFixed(1)}" width="${bar.toFixed(1)}" height="${mh.toFixed(1)}" fill="#cf222e"/>`);
    }
    if (points.length <= 12 || i % Math.ceil(points.length / 8) === 0) {
      out.push(`<text x="${(x + bar / 2).toFixed(1)}" y="${height - pad.bottom + 12}" font-size="9" text-anchor="middle" fill="#59636e">${escapeHtml(p.label.slice(5))}</text>`);
    }
  });
  out.push(`</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`);
  return out.join("");
}
