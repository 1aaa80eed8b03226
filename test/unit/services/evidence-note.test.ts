import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { initLocalRepo } from "../../../src/adapters/git/local-adapter.js";
import { toLifecycleDeps } from "../../../src/adapters/git/local-lifecycle.js";
import type { NotesPort } from "../../../src/core/ports/notes.js";
import { reportDeploymentStatus } from "../../../src/services/deploy-status.js";
import { mergeAsPerson } from "../../../src/services/evaluate-promotion.js";
import { promote } from "../../../src/services/promote.js";
import { recordPush } from "../../../src/services/record-push.js";
import { tick } from "../../../src/services/tick.js";
import type { LifecycleDeps } from "../../../src/services/lifecycle-deps.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const kustomization = (digest: string) => `kind: Kustomization\nimages:\n  - name: ghcr.io/acme/api\n    digest: ${digest}\n`;
const FILES = new Map([
  ["stagegate.yaml", "version: 1\nenvironments:\n  - { name: dev, path: envs/dev, policy: auto }\n  - { name: prod, path: envs/prod, from: [dev], policy: prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n"],
  ["policies/auto.yaml", "version: 1\nmerge: { mode: auto }\n"],
  ["policies/prod.yaml", "version: 1\ngates:\n  - gate: upstream\n  - gate: approvals\n    users: [rita, dana]\nmerge: { mode: manual }\n"],
  ["envs/dev/kustomization.yaml", kustomization(D("0"))],
  ["envs/prod/kustomization.yaml", kustomization(D("0"))],
]);

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

/** Notes whose next append fails once `failNext` is set (the process dies between the merge and its note). */
class FailingNotes implements NotesPort {
  failNext = false;
  appends = 0;
  constructor(private readonly inner: NotesPort) {}
  async appendNote(sha: string, text: string, options?: { ifAbsent?: boolean }): Promise<void | boolean> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("crash before the note");
    }
    this.appends++;
    return this.inner.appendNote(sha, text, options);
  }
  readNote(sha: string): Promise<string | undefined> {
    return this.inner.readNote(sha);
  }
}

/** dev deployed and verified, prod PR approved by two reviewers; then rita merges it. */
async function mergeProd(failNote: boolean) {
  const dir = await mkdtemp(join(tmpdir(), "stagegate-note-"));
  dirs.push(dir);
  let t = Date.parse("2026-03-02T10:00:00Z");
  const clock = { now: () => new Date(t) };
  const adapter = await initLocalRepo(dir, FILES, { clock });
  const notes = new FailingNotes(toLifecycleDeps(adapter).notes);
  const deps: LifecycleDeps = { ...toLifecycleDeps(adapter), notes };
  await promote({ repo: deps.repo }, { artifact: { service: "api", image: "ghcr.io/acme/api", digest: D("1") }, environment: "dev", requestedBy: "dana" });
  await tick(deps);
  await reportDeploymentStatus(deps, { environment: "dev", service: "api", state: "success", by: "argocd" });
  await tick(deps);
  const prod = (await adapter.pulls.listOpen()).find((p) => p.branch.startsWith("stagegate/prod/"))!;
  t += 60_000;
  await adapter.pulls.submitReview(prod.number, "dana", "approved");
  await adapter.pulls.submitReview(prod.number, "rita", "approved");
  t += 60_000;
  notes.failNext = failNote;
  const merge = mergeAsPerson(deps, prod.number, "rita");
  if (failNote) await expect(merge).rejects.toThrow(/crash before the note/);
  else await merge;
  const head = await adapter.commits.getCommit(await adapter.commits.getDefaultHead());
  t += 60_000;
  return { adapter, deps, notes, head, advance: (ms: number) => (t += ms) };
}

/** A note's first part without what only the merging process knew (see repairEvidenceNote). */
function comparable(note: string): Record<string, unknown> {
  const { rebuiltAt: _r, gates, ...rest } = JSON.parse(note.split("\n\n")[0]!) as { rebuiltAt?: string; gates: Record<string, unknown>[] };
  return { ...rest, gates: gates.map(({ evidence: _e, ...g }) => g) };
}

describe("evidence note repair (recordPush)", () => {
  it("rebuilds the note a crash after the merge lost, as the merge would have written it, once", async () => {
    const reference = await mergeProd(false);
    const referenceNote = (await reference.adapter.notes.readNote(reference.head.sha))!;

    const { adapter, deps, notes, head } = await mergeProd(true);
    expect(await adapter.notes.readNote(head.sha)).toBeUndefined();
    const before = notes.appends;
    await recordPush(deps, { before: head.parents[0]!, after: head.sha });
    const rebuilt = (await adapter.notes.readNote(head.sha))!;
    expect(notes.appends).toBe(before + 1);
    expect(JSON.parse(rebuilt)).toMatchObject({ rebuiltAt: "2026-03-02T10:03:00.000Z", mergedBy: "rita", approvals: [{ reviewer: "rita", at: "2026-03-02T10:01:00.000Z" }] });
    expect(comparable(rebuilt)).toEqual(comparable(referenceNote));

    // Idempotent: the next push or tick finds the note and writes nothing.
    await recordPush(deps, { before: head.parents[0]!, after: head.sha });
    await tick(deps);
    expect(await adapter.notes.readNote(head.sha)).toBe(rebuilt);
  });

  it("leaves a note the merge wrote alone; without a push, the verdict rebuilds the note before it is appended", async () => {
    const ok = await mergeProd(false);
    const written = await ok.adapter.notes.readNote(ok.head.sha);
    const appends = ok.notes.appends;
    await recordPush(ok.deps, { before: ok.head.parents[0]!, after: ok.head.sha });
    expect(ok.notes.appends).toBe(appends);
    expect(await ok.adapter.notes.readNote(ok.head.sha)).toBe(written);

    const { adapter, deps, head } = await mergeProd(true);
    await tick(deps);
    await reportDeploymentStatus(deps, { environment: "prod", service: "api", state: "success", by: "argocd" });
    await tick(deps);
    const parts = (await adapter.notes.readNote(head.sha))!.split("\n\n").map((p) => JSON.parse(p) as Record<string, unknown>);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toHaveProperty("rebuiltAt");
    expect(parts[1]).toMatchObject({ deployments: [{ environment: "prod", state: "success" }] });
  });
});
