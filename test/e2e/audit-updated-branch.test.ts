// A promotion PR whose branch was updated from main before it merged (GitHub's "Update branch", or
// `git merge main` on the branch): the merged head is "Merge branch 'main' into …", without trailers,
// and the promotion commit with them is below it. Without notes, this read as a hand-made change
// (medium); it is the promotion, with the low missing-note finding. Evidence is not borrowed from a
// commit that already landed, however the branch reaches it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { auditCheckingWalks } from "../support/audit-walks.js";
import { D, ScratchRepo } from "../support/scratch-repo.js";

let dir: string;
let repo: ScratchRepo;
const kustomization = (api: number) => `images:\n  - name: ghcr.io/acme/api\n    digest: ${D(api)}\n`;
const trailers = (previous: number, digest: number) => `\n\nStagegate-Service: api\nStagegate-Environment: prod\nStagegate-Image: ghcr.io/acme/api@${D(digest)}\nStagegate-Previous: ${D(previous)}\nStagegate-Kind: promotion\nStagegate-Approved-By: rita\nStagegate-PR: #7`;
const audit = () => auditCheckingWalks({ repo: dir });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-updated-"));
  repo = ScratchRepo.create(dir, { month: "2024-08", user: "Dev" });
  repo.write("stagegate.yaml", "version: 1\nenvironments:\n  - { name: prod, path: envs/prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n");
  repo.write("envs/prod/kustomization.yaml", kustomization(1));
  repo.commit("init");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("reads a promotion whose PR branch was updated from main (twice) as the promotion, not a hand-made change", async () => {
  repo.git(["checkout", "-q", "-b", "stagegate/prod/api"]);
  repo.write("envs/prod/kustomization.yaml", kustomization(2));
  const promotion = repo.commit(`Promote api to prod${trailers(1, 2)}`);
  for (const file of ["README.md", "docs/notes.md"]) {
    repo.git(["checkout", "-q", "main"]);
    repo.write(file, "unrelated\n");
    repo.commit(`docs: ${file}`);
    repo.git(["checkout", "-q", "stagegate/prod/api"]);
    repo.merge("main", "Merge branch 'main' into stagegate/prod/api");
  }
  repo.git(["checkout", "-q", "main"]);
  const landed = repo.merge("stagegate/prod/api", "Merge pull request #7 from acme/stagegate/prod/api");

  const result = await audit();
  const row = result.rows.find((r) => r.commit === landed);
  expect(row).toMatchObject({ kind: "promotion", digest: D(2), previous: D(1), approvedBy: ["rita"] });
  expect(result.findings.filter((f) => f.commit === landed).map((f) => [f.kind, f.severity])).toEqual([["missing-note", "low"]]);
  expect(result.findings.some((f) => f.kind === "bypass")).toBe(false);
  expect(promotion).toMatch(/^[0-9a-f]{40}$/);
});

it("does not lend a landed promotion's trailers to a later change through an update from main", async () => {
  repo.git(["checkout", "-q", "-b", "stagegate/prod/api"]);
  repo.write("envs/prod/kustomization.yaml", kustomization(2));
  repo.commit(`Promote api to prod${trailers(1, 2)}`);
  repo.git(["checkout", "-q", "main"]);
  repo.merge("stagegate/prod/api", "Merge pull request #7 from acme/stagegate/prod/api");
  // api goes back to 1 by hand; later the old branch, updated from main, sets 2 again: the very swap
  // its landed promotion commit declared (1 → 2). That approval was spent: it is no evidence now.
  repo.write("envs/prod/kustomization.yaml", kustomization(1));
  repo.commit("put api back by hand");
  repo.git(["checkout", "-q", "stagegate/prod/api"]);
  repo.merge("main", "Merge branch 'main' into stagegate/prod/api");
  repo.write("envs/prod/kustomization.yaml", kustomization(2));
  repo.git(["add", "-A"]);
  repo.dated(["commit", "-q", "--amend", "--no-edit"]);
  repo.git(["checkout", "-q", "main"]);
  const again = repo.merge("stagegate/prod/api", "Merge pull request #8 from acme/stagegate/prod/api");

  const result = await audit();
  const row = result.rows.find((r) => r.commit === again);
  expect(row).toMatchObject({ digest: D(2), previous: D(1), approvedBy: [] });
  expect(row?.kind).not.toBe("promotion");
  expect(result.findings.some((f) => f.commit === again && f.kind === "bypass")).toBe(true);
});
