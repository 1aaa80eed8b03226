/**
 * The services × environments matrix as text cells, shared by the dashboard issue (a Markdown
 * table) and `stagegate status` (padded columns), so both always say the same thing.
 */
import { shortDigest } from "../plan/branch.js";
import type { DashboardCell, DashboardState } from "./types.js";

/** `2024-05-01T10:20:30Z` → `2024-05-01 10:20` (UTC, minutes). */
export function formatMinute(iso: string): string {
  return iso.slice(0, 16).replace("T", " ");
}

/** One cell: `—`, `abc123def456 (initial)` or `abc123def456 healthy since 2024-05-01 10:20`. */
export function formatCell(cell: DashboardCell | undefined): string {
  if (!cell || cell.health === "absent" || cell.digests.length === 0) return "—";
  const digest = cell.digests.map(shortDigest).join("+");
  if (cell.health === "mixed") return `${digest} (files disagree)`;
  if (cell.health === "initial" || !cell.since) return `${digest} (initial)`;
  return `${digest} ${cell.health} since ${formatMinute(cell.since)}`;
}

/** Header row (`service`, then the environments in pipeline order) and one row per service. */
export function buildMatrix(state: Pick<DashboardState, "environments" | "services" | "cells">): string[][] {
  const byKey = new Map(state.cells.map((c) => [`${c.environment}\u0000${c.service}`, c]));
  const rows: string[][] = [["service", ...state.environments]];
  for (const service of state.services) rows.push([service, ...state.environments.map((env) => formatCell(byKey.get(`${env}\u0000${service}`)))]);
  return rows;
}

/** Columns padded to their widest cell, for terminals. */
export function padMatrix(rows: readonly string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd());
}
