/**
 * The dashboard issue body (Markdown), like Renovate's Dependency Dashboard: what runs where, open
 * promotions with their gates, pending approvals against their SLA, freezes, overrides, recent
 * rollbacks and DORA headline figures. Pure. The body carries a hash of its content in an HTML
 * comment, and the service rewrites the issue only when the body it would write differs from the
 * issue's (the time of the last change is shown but not compared, and nothing in the body moves with
 * the clock alone).
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

/** GitHub refuses an issue body longer than this (characters). */
export const ISSUE_BODY_LIMIT = 65_536;
/** Rows listed per section before "…and N more": a busy repository must not push the body over the limit. */
const SECTION_ROWS = { pullRequests: 60, approvals: 60, freezes: 30, overrides: 40, rollbacks: 30 };
const LAST_CHANGE = /\(last change seen [^)]*\)/;

/**
 * The issue body and the hash of its content: the commit it shows and everything below the header,
 * not the time of the last change (which moves with the clock). The body stays under GitHub's limit:
 * long sections are capped, and what still does not fit is cut at a line with a note.
 */
export function renderDashboard(state: DashboardState): { body: string; hash: string } {
  const where = `${state.repo ? `${code(state.repo)} ` : ""}${code(state.ref)} at ${code(state.oid.slice(0, 7))}`;
  const intro = `What runs where in ${where}, kept up to date by Stagegate (last change seen ${formatMinute(state.generatedAt)} UTC). Edits to this issue are overwritten; close it to stop updates until it is reopened or deleted.`;
  const header = (hash: string) => `${[MARKER, `<!-- stagegate:dashboard-hash:${hash} -->`, `# ${DASHBOARD_TITLE}`, "", intro, ""].join("\n")}\n`;
  // The header's length does not depend on the hash's value; a margin for what GitHub counts differently.
  const content = fit(renderContent(state), ISSUE_BODY_LIMIT - 1_000 - header("0".repeat(32)).length);
  const hash = createHash("sha256").update(where).update("\u0000").update(content).digest("hex").slice(0, 32);
  return { body: `${header(hash)}${content}`, hash };
}

/**
 * True when an issue body is the dashboard just rendered, but for the time of the last change: the
 * hash alone would keep a person's edit that left the hash comment in place.
 */
export function sameDashboard(existing: string | undefined, rendered: string): boolean {
  if (existing === undefined) return false;
  const normal = (body: string) => body.replaceAll("\r\n", "\n").replace(LAST_CHANGE, "").trimEnd();
  return normal(existing) === normal(rendered);
}

/** `text` cut at the last line that fits in `limit` characters, with a note saying so. */
function fit(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const note = "\n\n_The dashboard is cut here: it is longer than a GitHub issue can hold. `stagegate status` prints all of it._";
  const cut = text.lastIndexOf("\n", limit - note.length);
  return `${text.slice(0, Math.max(0, cut))}${note}`;
}

/** The first `max` items rendered, then a line for the rest. */
function capped<T>(items: readonly T[], max: number, render: (item: T) => string, table: boolean): string[] {
  const lines = items.slice(0, max).map(render);
  const rest = items.length - max;
  if (rest > 0) lines.push(table ? `| …and ${rest} more |` : `- …and ${rest} more`);
  return lines;
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
      if (c.health === "mixed") return `${digest} ⚠️ files disagree`;
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
    lines.push(...capped(state.pullRequests, SECTION_ROWS.pullRequests, (pr) => `| ${prLink(pr)} | ${cell(lane(pr))} | ${cell(pr.summary ? `${ICON[pr.summary.state]} ${escapeText(pr.summary.title)}` : "not evaluated yet")} | ${cell(pr.gates.map((g) => `${ICON[g.state]} ${escapeText(g.name)}`).join(" · ") || "—")} |`, true));
    lines.push("");
  }

  lines.push("## Pending approvals", "");
  if (state.approvals.length === 0) lines.push("None.", "");
  else {
    lines.push("| PR | gate | waiting for | opened | SLA |", "|---|---|---|---|---|");
    const approvalRow = (a: DashboardState["approvals"][number]) => {
      const deadline = a.slaMs !== undefined ? new Date(Date.parse(a.openedAt) + a.slaMs).toISOString() : undefined;
      const sla = a.slaMs === undefined ? "—" : `${formatDuration(a.slaMs)}, ${a.breached ? `⚠️ breached at ${formatMinute(deadline ?? "")}` : `due ${formatMinute(deadline ?? "")}`}`;
      return `| ${link(`#${a.number}`, a.url)} | ${cell(escapeText(a.gate))} | ${cell(escapeText(a.waiting))} | ${formatMinute(a.openedAt)} | ${cell(sla)} |`;
    };
    lines.push(...capped(state.approvals, SECTION_ROWS.approvals, approvalRow, true));
    lines.push("");
  }

  lines.push("## Freezes", "");
  if (state.freezes.length === 0) lines.push("No environment is frozen or outside its window.", "");
  else {
    lines.push(...capped(state.freezes, SECTION_ROWS.freezes, (f) => `- **${escapeText(f.environment)}** (${escapeText(f.gate)}, ${f.state}): ${escapeText(f.summary)}`, false));
    lines.push("");
  }

  lines.push("## Overrides in force", "");
  if (state.overrides.length === 0) lines.push("None.", "");
  else {
    lines.push(...capped(state.overrides, SECTION_ROWS.overrides, (o) => `- ${link(`#${o.number}`, o.url)} ${escapeText(o.gate)}: ${escapeText(o.title)}`, false));
    lines.push("");
  }

  lines.push("## Recent rollbacks (14 days)", "");
  if (state.rollbacks.length === 0) lines.push("None.", "");
  else {
    lines.push("| when | environment | service | to | from | reason |", "|---|---|---|---|---|---|");
    lines.push(...capped(state.rollbacks, SECTION_ROWS.rollbacks, (r) => `| ${formatMinute(r.at)} | ${cell(escapeText(r.environment))} | ${cell(escapeText(r.service))} | ${code(shortDigest(r.digest))} | ${r.from ? code(shortDigest(r.from)) : "—"} | ${cell(escapeText(r.reason ?? ""))}${r.pullRequest ? ` (#${r.pullRequest})` : ""} |`, true));
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
