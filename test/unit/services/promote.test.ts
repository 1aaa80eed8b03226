import { describe, expect, it } from "vitest";
import { ConfigError, NotFoundError, RetryableError } from "../../../src/core/errors.js";
import type { Logger } from "../../../src/core/logger.js";
import { parseTrailers } from "../../../src/core/evidence/trailers.js";
import { promote } from "../../../src/services/index.js";
import type { PromotionRequestInput } from "../../../src/core/artifact.js";
import { MemoryRepo } from "../../support/memory-repo.js";
import { D, fixtureFiles } from "../plan/fixture.js";

function request(digest: string = D.new, extra: Partial<PromotionRequestInput["artifact"]> = {}): PromotionRequestInput {
  return { artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest, tag: "v1.5.0", ...extra }, environment: "prod-eu", from: "staging" };
}

function recordingLogger(lines: { level: string; msg?: string; obj: object }[] = []): Logger & { lines: typeof lines } {
  const make = (bindings: object): Logger => ({
    debug: (obj, msg) => lines.push({ level: "debug", obj: { ...bindings, ...obj }, msg }),
    info: (obj, msg) => lines.push({ level: "info", obj: { ...bindings, ...obj }, msg }),
    warn: (obj, msg) => lines.push({ level: "warn", obj: { ...bindings, ...obj }, msg }),
    error: (obj, msg) => lines.push({ level: "error", obj: { ...bindings, ...obj }, msg }),
    child: (more) => make({ ...bindings, ...more }),
  });
  return Object.assign(make({}), { lines });
}

describe("promote", () => {
  it("opens one PR with the planned commit, labels and reviewers", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles() });
    const outcome = await promote({ repo }, request());
    expect(outcome).toMatchObject({ status: "opened", superseded: [], pr: { number: 1, branch: "stagegate/prod-eu/checkout/abcdef123456", state: "open" } });
    const pr = repo.pull(1);
    expect(pr.labels).toEqual(["production", "stagegate", "stagegate:prod-eu"]);
    // checkout is of the critical tier: the prod policy's reviewers for it (frank, platform-leads) are requested too.
    expect(pr.reviewers).toEqual({ users: ["dave", "frank", "carol"], teams: ["sre", "platform-leads", "checkout-team"] });
    const files = repo.filesOf(pr.branch);
    expect(files.get("environments/prod-eu/checkout/kustomization.yaml")).toContain(D.new);
    expect(files.get("environments/staging/checkout/kustomization.yaml")).toContain(D.old);
    expect(parseTrailers(repo.getCommit(pr.headSha).message).map((t) => t.key)).toContain("Stagegate-Image");
    expect(repo.calls.map((c) => c.method)).toEqual(["readSnapshot", "listOpenPromotions", "openPromotion"]);
  });

  it("returns exists on a duplicate call, without writing", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles() });
    await promote({ repo }, request());
    const writes = repo.writes.length;
    const again = await promote({ repo }, request());
    expect(again).toMatchObject({ status: "exists", pr: { number: 1 }, superseded: [] });
    expect(repo.writes.length).toBe(writes);
    expect(repo.calls.filter((c) => c.method === "openPromotion")).toHaveLength(1);
  });

  it("opens exactly one PR for 10 concurrent identical calls", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles() });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => promote({ repo }, request())));
    expect(repo.pullRequests()).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "opened")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "exists")).toHaveLength(9);
    expect(new Set(outcomes.map((o) => o.pr?.number))).toEqual(new Set([1]));
    expect(repo.writes.filter((w) => w.kind === "commit")).toHaveLength(1);
  });

  it("supersedes the older open PR of the same lane: closed with a link, branch deleted", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles() });
    const first = await promote({ repo }, request(D.new));
    const staging = await promote({ repo }, { ...request(D.new), environment: "staging", from: undefined });
    const second = await promote({ repo }, request(D.newer, { tag: "v1.6.0" }));
    expect(second).toMatchObject({ status: "opened", pr: { number: 3 }, superseded: [1] });
    const closed = repo.pull(1);
    expect(closed.state).toBe("closed");
    expect(closed.comments).toEqual(["Superseded by #3 (https://github.com/acme/environments/pull/3), which promotes `sha256:fedcba654321` (v1.6.0)."]);
    expect(repo.hasBranch(first.plan.branch)).toBe(false);
    // Another environment's PR is another lane.
    expect(repo.pull(staging.pr?.number ?? 0).state).toBe("open");
  });

  it("does not let a late redelivery of an older artifact replace a newer one", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles() });
    await promote({ repo }, request(D.newer, { createdAt: "2026-03-02T00:00:00Z" }));
    const late = await promote({ repo }, request(D.new, { createdAt: "2026-03-01T00:00:00Z" }));
    expect(late).toMatchObject({ status: "superseded", pr: { number: 1 }, superseded: [] });
    expect(repo.pullRequests().map((p) => p.state)).toEqual(["open"]);
  });

  it("repairs a supersede left undone by a failure on the next call", async () => {
    const log = recordingLogger();
    const repo = new MemoryRepo({ files: fixtureFiles() });
    await promote({ repo }, request(D.new));
    repo.failNext("closePromotion", new RetryableError("GitHub 502"));
    const second = await promote({ repo, log }, request(D.newer));
    expect(second).toMatchObject({ status: "opened", superseded: [] });
    expect(log.lines.find((l) => l.level === "warn")).toMatchObject({ msg: "could not close superseded promotion; the next promote call retries", obj: { pr: 1, service: "checkout", environment: "prod-eu" } });
    const retry = await promote({ repo, log }, request(D.newer));
    expect(retry).toMatchObject({ status: "exists", superseded: [1] });
  });

  it("writes nothing when already promoted", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles(D.new) });
    const outcome = await promote({ repo }, request(D.new));
    expect(outcome.status).toBe("already-promoted");
    expect(outcome.plan.message).toContain("already at sha256:abcdef123456");
    expect(repo.writes).toEqual([]);
    expect(repo.calls.map((c) => c.method)).toEqual(["readSnapshot"]);
  });

  it("is already-promoted after the PR merges", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles() });
    const opened = await promote({ repo }, request());
    repo.merge(opened.pr?.number ?? 0);
    expect((await promote({ repo }, request())).status).toBe("already-promoted");
  });

  it("reports not-referenced without writing", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles() });
    const outcome = await promote({ repo }, { artifact: { service: "ledger", image: "ghcr.io/acme/ledger", digest: D.new }, environment: "prod-eu" });
    expect(outcome.status).toBe("not-referenced");
    expect(repo.writes).toEqual([]);
  });

  it("throws ConfigError with file:line:col diagnostics for invalid configuration", async () => {
    const files = fixtureFiles();
    files["policies/prod.yaml"] = "version: 1\ngates:\n  - gate: soak\n    duration: soon\n";
    const repo = new MemoryRepo({ files });
    const error = await promote({ repo }, request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).diagnostics.some((d) => /^policies\/prod\.yaml:4:15: /.test(d))).toBe(true);
    expect(repo.writes).toEqual([]);
  });

  it("propagates terminal errors of the planner (unknown service)", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles() });
    await expect(promote({ repo }, { ...request(), artifact: { service: "nope", image: "ghcr.io/acme/nope", digest: D.new } })).rejects.toThrow(NotFoundError);
  });

  it("uses a given snapshot and configuration without reading", async () => {
    const repo = new MemoryRepo({ files: fixtureFiles() });
    const snapshot = await repo.readSnapshot();
    repo.calls.length = 0;
    const outcome = await promote({ repo }, request(), { snapshot });
    expect(outcome.status).toBe("opened");
    expect(repo.calls.map((c) => c.method)).toEqual(["listOpenPromotions", "openPromotion"]);
  });

  it("logs static messages with metadata", async () => {
    const log = recordingLogger();
    const repo = new MemoryRepo({ files: fixtureFiles() });
    await promote({ repo, log }, request());
    expect(log.lines).toEqual([{ level: "info", msg: "promotion opened", obj: { service: "checkout", environment: "prod-eu", kind: "promotion", status: "opened", pr: 1, branch: "stagegate/prod-eu/checkout/abcdef123456", files: 2 } }]);
  });
});
