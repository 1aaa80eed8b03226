// stagegate audit and dora on REAL git histories built with fast-import: hundreds of promotions
// (merge and squash style), rollbacks, a hand-made change, a direct push, a revert, notes with
// appended deployment results, an invalid note. Expected values come from the builder's own list
// of what it generated, never from the audit code.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditCheckingWalks } from "../support/audit-walks.js";
import { auditRepository } from "../../src/cli/commands/audit.js";
import { doraRepository } from "../../src/cli/commands/dora.js";
import type { AuditRow } from "../../src/core/audit/types.js";
import { type BuiltChange, digestOf, HistoryBuilder } from "../support/history-builder.js";

const HOUR = 3_600_000;
const T0 = Date.parse("2024-01-01T00:00:00Z");
const ENVS = [{ name: "staging" }, { name: "prod", from: ["staging"] }];
const SERVICES = [
  { name: "api", image: "ghcr.io/acme/api" },
  { name: "web", image: "ghcr.io/acme/web" },
  { name: "worker", image: "ghcr.io/acme/worker" },
];
const PEOPLE = ["alice", "bob", "carol", "dave"];

/** Deterministic PRNG (mulberry32) so the history is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildScenario(count: number): { builder: HistoryBuilder; end: number } {
  const random = rng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const builder = new HistoryBuilder(ENVS, SERVICES);
  const initial = Object.fromEntries(ENVS.map((e) => [e.name, Object.fromEntries(SERVICES.map((s, i) => [s.name, digestOf(1 + i)]))]));
  builder.init(new Date(T0), initial);
  const history = new Map<string, string[]>(ENVS.flatMap((e) => SERVICES.map((s, i) => [`${e.name}/${s.name}`, [digestOf(1 + i)]] as [string, string[]])));
  let t = T0 + HOUR;
  let nextDigest = 100;
  for (let i = 0; i < count; i++) {
    t += Math.floor((1 + random() * 9) * 3600) * 1000; // whole seconds: git stores seconds
    const env = pick(ENVS).name;
    const service = pick(SERVICES).name;
    const key = `${env}/${service}`;
    const past = history.get(key) ?? [];
    if (i === 40) builder.manual("hand-made", { env: "prod", service: "web", digest: digestOf(nextDigest++), at: new Date(t), pr: 777 });
    else if (i === 80) builder.manual("direct-push", { env: "prod", service: "api", digest: digestOf(nextDigest++), at: new Date(t) });
    else if (i === 81) {
      const back = builder.expected.at(-1)?.previous ?? "";
      builder.manual("revert", { env: "prod", service: "api", digest: back, at: new Date(t) });
    } else if (i % 25 === 0) builder.chore(new Date(t));
    else if (random() < 0.08 && past.length >= 2) {
      builder.promote({ env, service, kind: "rollback", digest: past[past.length - 2] as string, at: new Date(t), approvers: [pick(PEOPLE)], gates: { upstream: "neutral" }, deployment: { state: "success", at: new Date(t + 10 * 60_000) } });
    } else {
      const approver = pick(PEOPLE);
      builder.promote({
        env,
        service,
        digest: digestOf(nextDigest++),
        at: new Date(t),
        style: i % 2 === 0 ? "merge" : "squash",
        approvers: [approver],
        gates: { upstream: "success", soak: "success", approvals: "success" },
        sourceAuthor: pick(PEOPLE),
        prAuthor: "stagegate[bot]",
        requestedBy: pick(PEOPLE),
        sourceCommittedAt: random() < 0.7 ? new Date(t - Math.floor((1 + random() * 40) * 3600) * 1000) : undefined,
        deployment: random() < 0.85 ? { state: random() < 0.1 ? "failure" : "success", at: new Date(t + 5 * 60_000) } : undefined,
        overrides: i % 37 === 0 ? [{ gate: "soak", by: "carol", reason: "urgent fix, INC-1" }] : undefined,
        note: i === 60 ? "{ not json" : i % 53 === 0 ? false : true,
      });
    }
    const last = builder.expected.at(-1);
    if (last) history.set(`${last.env}/${last.service}`, [...(history.get(`${last.env}/${last.service}`) ?? []), last.digest]);
  }
  return { builder, end: t };
}

let dir: string;
let builder: HistoryBuilder;
let end: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-"));
  ({ builder, end } = buildScenario(400));
  builder.write(join(dir, "repo"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rowOf(rows: AuditRow[], change: BuiltChange): AuditRow | undefined {
  const sha = builder.shaOf(change);
  return rows.find((r) => r.commit === sha && r.environment === change.env && r.service === change.service);
}

describe("stagegate audit on a generated history", () => {
  it("lists one row per change, with kind, digests, PR, approvals, note and deployment", async () => {
    const result = await auditCheckingWalks({ repo: join(dir, "repo") });
    const initialRows = ENVS.length * SERVICES.length;
    expect(builder.expected.length).toBeGreaterThan(350);
    expect(result.rows).toHaveLength(builder.expected.length + initialRows);
    for (const change of builder.expected) {
      const row = rowOf(result.rows, change);
      expect(row, `${change.kind} ${change.env}/${change.service} at ${change.at.toISOString()}`).toBeDefined();
      if (!row) continue;
      expect(row.kind).toBe(change.kind);
      expect(row.digest).toBe(change.digest);
      expect(row.previous).toBe(change.previous);
      expect(row.pr).toBe(change.pr);
      expect(row.time).toBe(change.at.toISOString().replace(".000Z", "+00:00"));
      expect(row.approvedBy).toEqual(change.approvers);
      expect(row.hasNote).toBe(change.hasNote && !change.invalidNote);
      expect(row.deployment).toBe(change.deployment?.state);
      expect(row.overrides).toEqual(change.overrides);
      expect(row.duties === "violated").toBe(change.sodViolation);
    }
    expect(result.rows.filter((r) => r.kind === "initial")).toHaveLength(initialRows);
  });

  it("flags every bypass, missing or invalid note, separation-of-duties violation and override", async () => {
    const { result } = await auditRepository({ repo: join(dir, "repo") });
    const count = (kind: string) => result.findings.filter((f) => f.kind === kind).length;
    const manual = builder.expected.filter((c) => ["hand-made", "direct-push", "revert"].includes(c.kind));
    expect(manual.map((c) => c.kind).sort()).toEqual(["direct-push", "hand-made", "revert"]);
    expect(count("bypass")).toBe(manual.length);
    for (const change of manual) {
      expect(result.findings.some((f) => f.kind === "bypass" && f.commit === builder.shaOf(change))).toBe(true);
    }
    const bypassDirect = result.findings.find((f) => f.kind === "bypass" && f.commit === builder.shaOf(manual.find((c) => c.kind === "direct-push") as BuiltChange));
    expect(bypassDirect?.severity).toBe("high");
    expect(count("missing-note")).toBe(builder.expected.filter((c) => (c.kind === "promotion" || c.kind === "rollback") && !c.hasNote).length);
    expect(count("invalid-note")).toBe(builder.expected.filter((c) => c.invalidNote).length);
    expect(count("separation-of-duties")).toBe(builder.expected.filter((c) => c.sodViolation).length);
    expect(count("separation-of-duties")).toBeGreaterThan(10);
    expect(count("override")).toBe(builder.expected.reduce((n, c) => n + c.overrides.length, 0));
    expect(count("force-push")).toBe(0);
    expect(count("unsigned")).toBe(0); // signatures are only read with --verify
  });

  it("filters by environment, service and time range", async () => {
    const since = new Date(T0 + 20 * 24 * HOUR);
    const until = new Date(T0 + 40 * 24 * HOUR);
    const { result } = await auditRepository({ repo: join(dir, "repo"), env: "prod", service: "api", since: since.toISOString(), until: until.toISOString() });
    const expected = builder.expected.filter((c) => c.env === "prod" && c.service === "api" && c.at >= since && c.at < until);
    expect(expected.length).toBeGreaterThan(5);
    expect(result.rows.map((r) => r.commit)).toEqual(expected.map((c) => builder.shaOf(c)));
  });

  it("computes the DORA keys of prod as the builder's own list says", async () => {
    const windowDays = 60;
    const now = new Date(end + HOUR);
    const { report } = await doraRepository({ repo: join(dir, "repo"), window: `${windowDays}d`, now: now.toISOString() });
    expect(report.environments).toEqual(["prod"]);

    // Independent computation from the generated list.
    const from = now.getTime() - windowDays * 24 * HOUR;
    const prod = builder.expected.filter((c) => c.env === "prod");
    const isBack = (c: BuiltChange) => c.kind === "rollback" || c.kind === "revert";
    const nextOf = (c: BuiltChange) => prod.find((d) => d.service === c.service && d.at > c.at);
    const failed = (c: BuiltChange) => !isBack(c) && (c.deployment?.state === "failure" || (nextOf(c) !== undefined && isBack(nextOf(c) as BuiltChange)));
    const inWindow = prod.filter((c) => c.at.getTime() >= from && c.at.getTime() < now.getTime());
    const changes = inWindow.filter((c) => !isBack(c));
    const failures = changes.filter(failed);
    const leads = changes.filter((c) => c.kind === "promotion").map((c) => (c.deployment?.at ?? c.at).getTime() - (c.sourceCommittedAt ?? c.authoredAt).getTime());
    const sortedLeads = [...leads].sort((a, b) => a - b);
    const mid = sortedLeads.length >> 1;
    const medianLead = sortedLeads.length % 2 ? sortedLeads[mid] : ((sortedLeads[mid - 1] as number) + (sortedLeads[mid] as number)) / 2;

    expect(report.deploymentFrequency.deployments).toBe(inWindow.length);
    expect(report.deploymentFrequency.perDay).toBeCloseTo(inWindow.length / windowDays, 10);
    expect(report.changeFailureRate.changes).toBe(changes.length);
    expect(report.changeFailureRate.failed).toBe(failures.length);
    expect(failures.length).toBeGreaterThan(2);
    expect(report.leadTime.changes).toBe(leads.length);
    expect(report.leadTime.medianMs).toBe(medianLead);
    expect(report.leadTime.fromNote).toBe(changes.filter((c) => c.kind === "promotion" && c.sourceCommittedAt).length);
    expect(report.timeToRestore.failures).toBe(failures.length);
    expect(report.weekly.reduce((n, w) => n + w.deployments, 0)).toBe(inWindow.length);
  });

  it("prints csv and json through the real CLI", () => {
    const cli = (args: string[]) => execFileSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: join(import.meta.dirname, "../.."), maxBuffer: 1 << 28 }).toString();
    const json = JSON.parse(cli(["audit", "--repo", join(dir, "repo"), "--format", "json", "--env", "prod"])) as { rows: AuditRow[]; summary: { rows: number } };
    expect(json.summary.rows).toBe(builder.expected.filter((c) => c.env === "prod").length + SERVICES.length);
    const csv = cli(["audit", "--repo", join(dir, "repo"), "--format", "csv", "--env", "prod"]);
    expect(csv.split("\r\n").filter(Boolean)).toHaveLength(json.summary.rows + 1);
    expect(csv).toContain(`"soak by carol: urgent fix, INC-1"`); // a comma inside a field: quoted (RFC 4180)
  });
});
