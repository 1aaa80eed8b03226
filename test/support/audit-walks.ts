/**
 * `stagegate audit` in process, checked against buildAudit's own walk: the rows the digest replay
 * builds as it goes (AuditAccumulator, through auditOf) must be what buildAudit makes of the same
 * records, findings and summary included, with the CLI's options and with filters.
 */
import { expect } from "vitest";
import { auditRepository, type AuditCommandOptions } from "../../src/cli/commands/audit.js";
import { buildAudit, type AuditOptions } from "../../src/core/audit/build-audit.js";
import type { AuditResult } from "../../src/core/audit/types.js";

export async function auditCheckingWalks(options: AuditCommandOptions): Promise<AuditResult> {
  const { history, result } = await auditRepository(options);
  expect(history.audit, "the replay built the rows").toBeDefined();
  const cli: AuditOptions = { branch: history.branch, tip: history.tip, ref: history.ref, notes: history.notes, reflog: history.reflog, signaturesRead: history.signaturesRead, signatureSource: history.signatureSource, warnings: history.warnings };
  expect(result).toEqual(buildAudit(history.records, cli));
  const first = result.rows[0];
  if (first) {
    const filtered: AuditOptions = { ...cli, environment: first.environment, since: new Date(Date.parse(first.time) + 1000) };
    expect(history.audit!.finish(history.records, filtered)).toEqual(buildAudit(history.records, filtered));
  }
  return result;
}

