// Evidence anyone who can push can forge or reuse: trailers copied from an earlier promotion onto a
// push of another digest, an old promotion commit merged again to lend its evidence, a declared swap
// that hides another edit in the same file, and messages that claim a revert or a PR. Before, each of
// these read as an approved promotion (or a lesser finding); now each is a change made outside Stagegate.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { auditCheckingWalks } from "../support/audit-walks.js";
import { D, ScratchRepo } from "../support/scratch-repo.js";

let dir: string;
let repo: ScratchRepo;
const git = (args: string[], input?: string) => repo.git(args, input);
const write = (path: string, text: string) => repo.write(path, text);
const commit = (message: string) => repo.commit(message);
const kustomization = (api: number, web = 50, webImage = "ghcr.io/acme/web") => `images:\n  - name: ghcr.io/acme/api\n    digest: ${D(api)}\n  - name: ${webImage}\n    digest: ${D(web)}\n`;
const trailers = (previous: number, digest: number) => `\n\nStagegate-Service: api\nStagegate-Environment: prod\nStagegate-Image: ghcr.io/acme/api@${D(digest)}\nStagegate-Previous: ${D(previous)}\nStagegate-Kind: promotion\nStagegate-Approved-By: rita\nStagegate-PR: #7`;
const audit = () => auditCheckingWalks({ repo: dir });
const kinds = (findings: { kind: string; commit?: string }[], sha: string) => findings.filter((f) => f.commit === sha).map((f) => f.kind).sort();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-forged-"));
  repo = ScratchRepo.create(dir, { month: "2024-07", user: "Mallory" });
  write("stagegate.yaml", "version: 1\nenvironments:\n  - { name: prod, path: envs/prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n  - { name: web, image: ghcr.io/acme/web }\n");
  write("envs/prod/kustomization.yaml", kustomization(1));
  commit("init");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("does not credit trailers copied from a promotion to a push of another digest", async () => {
  write("envs/prod/kustomization.yaml", kustomization(2));
  const promotion = commit(`Promote api to prod (#7)${trailers(1, 2)}`);
  write("envs/prod/kustomization.yaml", kustomization(666));
  const push = commit(`Promote api to prod (#7)${trailers(1, 2)}`);
  const result = await audit();
  expect(result.rows.map((r) => [r.commit, r.kind, r.digest])).toEqual([
    [expect.any(String), "initial", D(1)],
    [expect.any(String), "initial", D(50)],
    [promotion, "promotion", D(2)],
    [push, "direct-push", D(666)],
  ]);
  expect(result.rows.find((r) => r.commit === push)?.approvedBy).toEqual([]);
  expect(kinds(result.findings, push)).toEqual(["bypass", "evidence-mismatch"]);
  expect(result.findings.find((f) => f.kind === "evidence-mismatch")).toMatchObject({ severity: "high", environment: "prod", service: "api" });
});

it("lists no promotion for trailers on a commit that changed another environment's files only", async () => {
  // Trailers declaring api in prod on a commit that touched staging: before, api "promoted, approved by rita".
  write("stagegate.yaml", "version: 1\nenvironments:\n  - { name: staging, path: envs/staging }\n  - { name: prod, path: envs/prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n  - { name: web, image: ghcr.io/acme/web }\n");
  write("envs/staging/kustomization.yaml", kustomization(1));
  commit("add staging");
  write("envs/staging/kustomization.yaml", kustomization(9));
  const push = commit(`Promote api to prod (#7)${trailers(1, 2)}`);
  const result = await audit();
  expect(result.rows.filter((r) => r.commit === push).map((r) => [r.environment, r.service, r.kind])).toEqual([["staging", "api", "direct-push"]]);
  expect(result.findings.filter((f) => f.commit === push).map((f) => [f.kind, f.environment])).toEqual([
    ["bypass", "staging"],
    ["evidence-mismatch", "prod"],
  ]);
});

it("does not let an old promotion commit merged again lend its evidence", async () => {
  // A promotion PR merged the usual way (its head carries the trailers), then api moved on by hand.
  git(["checkout", "-q", "-b", "stagegate/prod/api"]);
  write("envs/prod/kustomization.yaml", kustomization(2));
  const head = commit(`Promote api to prod${trailers(1, 2)}`);
  git(["checkout", "-q", "main"]);
  repo.dated(["merge", "-q", "--no-ff", "-m", "Merge pull request #7 from acme/stagegate/prod/api", head]);
  write("envs/prod/kustomization.yaml", kustomization(3));
  commit("bump api by hand");
  // A merge of the old head again, with a tree that puts the promoted digest back.
  write("envs/prod/kustomization.yaml", kustomization(2));
  git(["add", "-A"]);
  const tree = git(["write-tree"]).trim();
  const remerge = repo.dated(["commit-tree", tree, "-p", "HEAD", "-p", head, "-m", "Merge pull request #7 from acme/stagegate/prod/api"]).trim();
  git(["update-ref", "refs/heads/main", remerge]);
  git(["reset", "-q", "--hard"]);

  const result = await audit();
  const row = result.rows.find((r) => r.commit === remerge);
  // A merge outside Stagegate back to a digest prod ran: a revert, not a promotion approved by rita.
  expect(row).toMatchObject({ kind: "revert", digest: D(2), previous: D(3), approvedBy: [] });
  expect(kinds(result.findings, remerge)).toEqual(["bypass"]);
});

it("parses a file whose declared swap came with another edit: an image renamed beside it is a removal", async () => {
  // The promotion's trailers declare api 1 → 2; the same commit renames web's image, so kustomize no
  // longer applies web's digest. Before, the digest tokens alone made it a clean swap.
  write("envs/prod/kustomization.yaml", kustomization(2, 50, "ghcr.io/evil/web"));
  const promotion = commit(`Promote api to prod (#7)${trailers(1, 2)}`);
  const result = await audit();
  expect(result.rows.filter((r) => r.commit === promotion).map((r) => [r.service, r.kind, r.digest ?? null])).toEqual([
    ["api", "promotion", D(2)],
    ["web", "removal", null],
  ]);
  expect(result.findings.filter((f) => f.kind === "bypass" && f.commit === promotion).map((f) => f.service)).toEqual(["web"]);
});

it("takes no message's word: a 'Revert' to a new digest and a '(#99)' subject on a push are direct pushes; a re-pin after a removal is no initial", async () => {
  write("envs/prod/kustomization.yaml", kustomization(2));
  const revert = commit('Revert "Promote api to prod"\n\nThis reverts commit abcdef1234567.');
  write("envs/prod/kustomization.yaml", kustomization(3));
  const squash = commit("Bump api (#99)");
  write("envs/prod/kustomization.yaml", "images:\n  - name: ghcr.io/acme/web\n    digest: " + D(50) + "\n");
  commit("drop api");
  write("envs/prod/kustomization.yaml", kustomization(666));
  const repin = commit("pin api");
  const result = await audit();
  const kindOf = (sha: string) => result.rows.find((r) => r.commit === sha && r.service === "api")?.kind;
  expect([kindOf(revert), kindOf(squash), kindOf(repin)]).toEqual(["direct-push", "direct-push", "direct-push"]);
  expect(result.findings.filter((f) => f.kind === "bypass" && [revert, squash, repin].includes(f.commit ?? "")).map((f) => f.severity)).toEqual(["high", "high", "high"]);
});
