/**
 * The dashboard issue body (Markdown), like Renovate's Dependency Dashboard: what runs where, open
 * promotions with their gates, pending approvals against their SLA, freezes, overrides, recent
 * rollbacks and DORA headline figures. Pure. The body carries a hash of its content in an HTML
 * comment so the adapter rewrites the issue only when something changed (the time of the last
 * change is shown but not hashed, and nothing in the body moves with the clock alone).
 */
import { createHash } from "node:crypto";
import { formatMs } from "../audit/render-html.js";
import { formatDuration } from "../config/duration.js";
import { cell, code, escapeText, link } from "../evidence/markdown.js";
import { shortDigest } from "../plan/branch.js";
import { buildMatrix, formatMinute } from "./matrix.js";
import type { DashboardPullRequest, DashboardState, GateGlance } from "./types.js";

export const DASHBOARD_TITLE = "Stagegate dashboard";
export const DASHBOARD_LABEL = "stagegate:dashboard";
const MARKER = "<!-- stagegate:dashboard -->";
const HASH = /<!-- stagegate:dashboard-hash:([0-9a-f]{16,64}) -->/;

const ICON: Record<GateGlance["state"], string> = { success: "✅", failure: "❌", neutral: "➖", pending: "⏳" };
const HEALTH_ICON: Record<string, string> = { healthy: "✅", failed: "❌", deploying: "⏳" };

/** The hash embedded in a dashboard body, if any. */
export function readDashboardHash(body: string | undefined): string | undefined {
  return body ? HASH.exec(body)?.[1] : undefined;
}

/** The issue body and the hash of its content. */
export function renderDashboard(state: DashboardState): { body: string; hash: string } {
  const content = renderContent(state);
  const hash = createHash("sha256").update(content).digest("hex").slice(0, 32);
  const where = `${state.repo ? `${code(state.repo)} ` : ""}${code(state.ref)} at ${code(state.oid.slice(0, 7))}`;
  const header = [MARKER, `<!-- stagegate:dashboard-hash:${hash} -->`, `# ${DASHBOARD_TITLE}`, "", `What runs where in ${where}, kept up to date by Stagegate (last change seen ${formatMinute(state.generatedAt)} UTC). Edits to this issue are overwritten; close it to stop updates until it is reopened or deleted.`, ""];
  return { body: `${header.join("\n")}\n${content}`, hash };
}

function renderContent(state: DashboardState): string {
  const lines: string[] = [];
  lines.push("## What runs where", "");
  const matrix = buildMatrix(state);
  const [head = [], ...rows] = matrix;
  const cells = new Map(state.cells.map((c) => [`${c.environment}\u0000${c.service}`, c]));
  lines.push(`| ${head.map((h) => cell(escapeText(h))).join(" | ")} |`, `|${head.map(() => "---").join("|")}|`);
  for (const row of rows) {
    const service = row[0] ?? "";
    const rendered = state.environments.map((env) => {
      const c = cells.get(`${env}\u0000${service}`);
      if (!c || c.health === "absent" || c.digests.length === 0) return "—";
      const digest = code(c.digests.map(shortDigest).join("+"));
      if (c.health === "initial" || !c.since) return `${digest} initial`;
      return `${digest} ${HEALTH_ICON[c.health] ?? ""} ${c.health} since ${formatMinute(c.since)}`;
    });
    lines.push(`| ${cell(escapeText(service))} | ${rendered.map(cell).join(" | ")} |`);
  }
  lines.push("");

  lines.push(`## Open promotions (${state.pullRequests.length})`, "");
  if (state.pullRequests.length === 0) lines.push("None.", "");
  else {
    lines.push("| PR | lane | stagegate | gates |", "|---|---|---|---|");
    for (const pr of state.pullRequests) lines.push(`| ${prLink(pr)} | ${cell(lane(pr))} | ${cell(pr.summary ? `${ICON[pr.summary.state]} ${escapeText(pr.summary.title)}` : "not evaluated yet")} | ${cell(pr.gates.map((g) => `${ICON[g.state]} ${escapeText(g.name)}`).join(" · ") || "—")} |`);
    lines.push("");
  }

  lines.push("## Pending approvals", "");
  if (state.approvals.length === 0) lines.push("None.", "");
  else {
    lines.push("| PR | gate | waiting for | opened | SLA |", "|---|---|---|---|---|");
    for (const a of state.approvals) {
      const deadline = a.slaMs !== undefined ? new Date(Date.parse(a.openedAt) + a.slaMs).toISOString() : undefined;
      const sla = a.slaMs === undefined ? "—" : `${formatDuration(a.slaMs)}, ${a.breached ? `⚠️ breached at ${formatMinute(deadline ?? "")}` : `due ${formatMinute(deadline ?? "")}`}`;
      lines.push(`| ${link(`#${a.number}`, a.url)} | ${cell(escapeText(a.gate))} | ${cell(escapeText(a.waiting))} | ${formatMinute(a.openedAt)} | ${cell(sla)} |`);
    }
    lines.push("");
  }

  lines.push("## Freezes", "");
  if (state.freezes.length === 0) lines.push("No environment is frozen or outside its window.", "");
  else {
    for (const f of state.freezes) lines.push(`- **${escapeText(f.environment)}** (${escapeText(f.gate)}, ${f.state}): ${escapeText(f.summary)}`);
    lines.push("");
  }

  lines.push("## Overrides in force", "");
  if (state.overrides.length === 0) lines.push("None.", "");
  else {
    for (const o of state.overrides) lines.push(`- ${link(`#${o.number}`, o.url)} ${escapeText(o.gate)}: ${escapeText(o.title)}`);
    lines.push("");
  }

  lines.push("## Recent rollbacks (14 days)", "");
  if (state.rollbacks.length === 0) lines.push("None.", "");
  else {
    lines.push("| when | environment | service | to | from | reason |", "|---|---|---|---|---|---|");
    for (const r of state.rollbacks) lines.push(`| ${formatMinute(r.at)} | ${cell(escapeText(r.environment))} | ${cell(escapeText(r.service))} | ${code(shortDigest(r.digest))} | ${r.from ? code(shortDigest(r.from)) : "—"} | ${cell(escapeText(r.reason ?? ""))}${r.pullRequest ? ` (#${r.pullRequest})` : ""} |`);
    lines.push("");
  }

  const d = state.dora;
  if (d) {
    lines.push(`## DORA (${d.windowDays} days${d.environments.length ? `, ${d.environments.map(escapeText).join(", ")}` : ""})`, "");
    lines.push("| deployment frequency | lead time | change failure rate | time to restore |", "|---|---|---|---|");
    const rate = d.changeFailureRate === undefined ? "–" : `${(d.changeFailureRate * 100).toFixed(0)}%`;
    lines.push(`| ${d.deploymentsPerDay.toFixed(2)}/day (${d.deploymentBand}) | ${formatMs(d.leadTimeMs)} (${d.leadTimeBand}) | ${rate} (${d.changeFailureBand}) | ${formatMs(d.timeToRestoreMs)} (${d.timeToRestoreBand}) |`, "");
  }
  return `${lines.join("\n")}`;
}

function lane(pr: DashboardPullRequest): string {
  if (!pr.environment || !pr.service) return "—";
  return `${pr.kind === "rollback" ? "rollback " : ""}${escapeText(pr.service)} → ${escapeText(pr.environment)}`;
}

function prLink(pr: DashboardPullRequest): string {
  return cell(`${link(`#${pr.number}`, pr.url)} ${escapeText(pr.title)}`);
}
