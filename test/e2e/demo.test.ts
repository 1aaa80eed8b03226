import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitCli } from "../../src/adapters/git/git-cli.js";
import { openLocalRepo } from "../../src/adapters/git/local-adapter.js";
import { parseTrailers, getTrailer, getTrailers } from "../../src/core/evidence/trailers.js";
import { parseNote } from "../../src/core/audit/note-schema.js";
import { runDemo, type DemoResult } from "../../src/demo/run-demo.js";
import { fakeDigest } from "../../src/demo/world.js";

// The demo asserts each step itself; this test checks what it leaves behind in git, never its text.
let root = "";
let result: DemoResult;
let git: GitCli;
const fixed = fakeDigest("checkout 1.4.1");
const bad = fakeDigest("checkout 1.4.0");

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stagegate-demo-test-"));
  result = await runDemo({ dir: join(root, "repo"), write: () => undefined, color: false });
  git = new GitCli(result.dir);
}, 180_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function firstParentLog(): Promise<{ sha: string; message: string }[]> {
  const out = await git.run(["log", "--first-parent", "--format=%H%x1f%B%x1e", "main"]);
  return out.split("\x1e").map((r) => r.trim()).filter(Boolean).map((r) => ({ sha: r.slice(0, 40), message: r.slice(41) }));
}

describe("stagegate demo", () => {
  it("finishes as narrated", () => {
    expect(result.ok).toBe(true);
  });

  it("leaves 1.4.1 running in every environment", async () => {
    for (const env of ["dev", "staging", "prod-eu", "prod-us"]) {
      const file = await git.run(["show", `main:environments/${env}/checkout/kustomization.yaml`]);
      expect(file, env).toContain(fixed);
    }
  });

  it("records the prod-eu promotion of 1.4.0 with its approver and the rollback that undid it", async () => {
    const log = await firstParentLog();
    const promotions = log.filter((c) => getTrailer(parseTrailers(c.message), "Stagegate-Image")?.endsWith(bad) && getTrailer(parseTrailers(c.message), "Stagegate-Environment") === "prod-eu");
    expect(promotions).toHaveLength(1);
    const trailers = parseTrailers(promotions[0]!.message);
    expect(getTrailers(trailers, "Stagegate-Approved-By")).toEqual(["rita"]);
    expect(getTrailer(trailers, "Stagegate-Merged-By")).toBe("rita");
    expect(getTrailer(trailers, "Stagegate-Gates")).toMatch(/approvals=success.*window=success/);
    const rollback = log.find((c) => getTrailer(parseTrailers(c.message), "Stagegate-Kind") === "rollback");
    expect(getTrailer(parseTrailers(rollback!.message), "Stagegate-Environment")).toBe("prod-eu");
    expect(getTrailers(parseTrailers(rollback!.message), "Stagegate-Previous")).toEqual([bad]);
    // The rollback touched exactly the file the promotion changed.
    const files = (await git.run(["diff", "--name-only", `${rollback!.sha}^`, rollback!.sha])).trim().split("\n");
    expect(files).toEqual(["environments/prod-eu/checkout/kustomization.yaml"]);
  });

  it("attaches evidence notes, with the failed verification appended to the promotion's note", async () => {
    const log = await firstParentLog();
    const promotion = log.find((c) => getTrailer(parseTrailers(c.message), "Stagegate-Image")?.endsWith(bad) && getTrailer(parseTrailers(c.message), "Stagegate-Environment") === "prod-eu")!;
    const raw = await git.run(["notes", "--ref=refs/notes/stagegate", "show", promotion.sha]);
    const parsed = parseNote(raw);
    expect("note" in parsed).toBe(true);
    if (!("note" in parsed)) return;
    expect(parsed.note.approvals).toEqual([expect.objectContaining({ reviewer: "rita" })]);
    expect(parsed.note.deployments?.map((d) => d.state)).toEqual(["queued", "failure"]);
    const withNotes = log.filter((c) => getTrailer(parseTrailers(c.message), "Stagegate-PR"));
    for (const c of withNotes) expect(await git.run(["notes", "--ref=refs/notes/stagegate", "show", c.sha]), c.sha).toContain('"mergedBy"');
  });

  it("keeps pull requests, checks and deployments in refs/stagegate", async () => {
    const adapter = openLocalRepo(result.dir, { clock: { now: () => new Date() } });
    const prs = await adapter.pulls.listAll();
    // Newest first. 1.4.0: dev, staging, prod-eu, its rollback, sam's prod-us (superseded); 1.4.1: dev, staging, prod-eu, prod-us.
    expect(prs.map((p) => p.state)).toEqual(["merged", "merged", "merged", "merged", "closed", "merged", "merged", "merged", "merged"]);
    const stale = prs.find((p) => p.branch.startsWith("stagegate/prod-us/") && p.state === "closed");
    expect((await adapter.pulls.listComments(stale!.number)).at(-1)?.body).toMatch(/Superseded by #/);
    const checks = await adapter.checks.listChecks(stale!.headSha);
    expect(checks.find((c) => c.name === "stagegate/upstream")?.conclusion).toBe("failure");
    const deployments = await adapter.deployments.listDeployments({ environment: "prod-eu", service: "checkout" });
    expect(deployments.map((d) => [d.kind, d.digest === fixed ? "fixed" : d.digest === bad ? "bad" : "previous"])).toEqual([
      ["promotion", "fixed"],
      ["rollback", "previous"],
      ["promotion", "bad"],
    ]);
    expect(deployments[2]!.statuses.map((s) => `${s.creator}:${s.state}`)).toEqual(expect.arrayContaining(["argocd:success", "stagegate:failure"]));
    expect((await git.run(["for-each-ref", "--format=%(refname)", "refs/stagegate/facts"])).trim()).toBe("refs/stagegate/facts");
  });
});
