// The audit predicts the file versions of declared swaps instead of reading them (predicted-versions.ts):
// proven on real repositories, SHA-1 and SHA-256, by what a partial clone did NOT fetch, with the rows
// equal to those of the full repository; promotions that write a tag beside the digest without declaring
// it, a lying hint and a hand edit are read as before. A full clone predicts the same versions: what its
// `git cat-file` processes were asked for shows it.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { auditRepository } from "../../src/cli/commands/audit.js";
import { auditCheckingWalks } from "../support/audit-walks.js";
import { D, ScratchRepo } from "../support/scratch-repo.js";

let dir: string;
const PATH = "envs/prod/kustomization.yaml";
const kustomization = (api: number, web: number, tag?: string, webName = "ghcr.io/acme/web") =>
  `images:\n  - name: ghcr.io/acme/api\n${tag ? `    newTag: ${tag}\n` : ""}    digest: ${D(api)}\n  - name: ${webName}\n    digest: ${D(web)}\n`;
const promotion = (from: number, to: number, tag?: string) =>
  `Promote api to prod\n\nStagegate-Service: api\nStagegate-Environment: prod\nStagegate-Image: ghcr.io/acme/api@${D(to)}\n${tag ? `Stagegate-Tag: ${tag}\n` : ""}Stagegate-Previous: ${D(from)}\nStagegate-Kind: promotion\n`;

/** A history of exact swaps, tag-writing swaps, a hint that hides another change, and a hand edit. */
function build(dir: string, format: "sha1" | "sha256"): { versions: Map<string, string>; predictable: string[] } {
  const repo = ScratchRepo.create(dir, { month: "2024-06", objectFormat: format });
  repo.write("stagegate.yaml", "version: 1\nenvironments:\n  - { name: prod, path: envs/prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n  - { name: web, image: ghcr.io/acme/web }\n");
  const versions = new Map<string, string>(); // label → blob id
  const predictable: string[] = [];
  const step = (label: string, text: string, message: string, predicted = false) => {
    repo.write(PATH, text);
    repo.commit(message);
    const oid = repo.git(["rev-parse", `HEAD:${PATH}`]).trim();
    versions.set(label, oid);
    if (predicted) predictable.push(oid);
  };
  step("init", kustomization(1, 100), "init");
  for (let i = 2; i <= 6; i++) step(`exact ${i}`, kustomization(i, 100), promotion(i - 1, i), true);
  // The editors that write the release's tag beside the digest: the declared swap, not an exact one.
  step("tag 7", kustomization(7, 100, "v7"), promotion(6, 7));
  step("tag 8", kustomization(8, 100, "v8"), promotion(7, 8));
  // Declares api 8 → 9 but also renames web's image: the hint is not the change, the version is read.
  step("lying 9", kustomization(9, 100, "v8", "ghcr.io/evil/web"), promotion(8, 9));
  step("hand 10", kustomization(9, 101, "v8", "ghcr.io/evil/web"), "bump web by hand");
  step("exact 11", kustomization(11, 101, "v8", "ghcr.io/evil/web"), promotion(9, 11), true);
  // The tag written beside the digest and declared (Stagegate-Tag), as Stagegate writes it: predicted too.
  step("tagged 12", kustomization(12, 101, "v12", "ghcr.io/evil/web"), promotion(11, 12, "v12"), true);
  repo.git(["config", "uploadpack.allowFilter", "true"]);
  repo.git(["config", "uploadpack.allowAnySHA1InWant", "true"]);
  return { versions, predictable };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-predicted-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

for (const format of ["sha1", "sha256"] as const) {
  it(`reads a ${format} partial clone without fetching the versions it predicts, with the full repository's rows`, async () => {
    const origin = join(dir, "origin");
    const { versions, predictable } = build(origin, format);
    const clone = join(dir, "partial");
    execFileSync("git", ["clone", "-q", "--filter=blob:none", "--no-checkout", `file://${origin}`, clone], { cwd: dir });

    const full = await auditRepository({ repo: origin });
    const { result } = await auditRepository({ repo: clone });
    expect(result.rows).toEqual(full.result.rows);
    expect(result.findings).toEqual(full.result.findings);
    const api = result.rows.filter((r) => r.service === "api");
    expect(api.map((r) => [r.kind, r.digest])).toEqual([
      ["initial", D(1)],
      ...[2, 3, 4, 5, 6, 7, 8].map((n) => ["promotion", D(n)]),
      ["promotion", D(9)],
      ["promotion", D(11)],
      ["promotion", D(12)],
    ]);
    // The renamed web image under the lying hint is a change outside Stagegate, found as before.
    expect(result.rows.some((r) => r.service === "web" && r.kind !== "promotion" && r.commit === full.result.rows.find((x) => x.digest === D(9))?.commit)).toBe(true);

    // What the clone holds: the versions the audit read. The predicted ones were never fetched.
    const present = (oid: string) => {
      try {
        execFileSync("git", ["cat-file", "-e", oid], { cwd: clone, env: { ...process.env, GIT_NO_LAZY_FETCH: "1" }, stdio: "ignore" });
        return true;
      } catch {
        return false;
      }
    };
    expect(predictable).toHaveLength(7);
    for (const oid of predictable) expect(present(oid)).toBe(false);
    for (const label of ["init", "tag 7", "tag 8", "lying 9", "hand 10"]) expect(present(versions.get(label)!)).toBe(true);
  });
}

/** What each `git cat-file` the audit ran was asked for (a `git` first on PATH copies its stdin), with its arguments. */
async function catFileRequests<T>(run: () => Promise<T>): Promise<{ value: T; processes: { args: string; requests: string }[] }> {
  const bin = join(dir, "bin");
  const logs = join(dir, "cat-file-logs");
  mkdirSync(bin);
  mkdirSync(logs);
  const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  writeFileSync(join(bin, "git"), `#!/bin/sh\nfor arg in "$@"; do\n  if [ "$arg" = cat-file ]; then\n    echo "$*" > '${logs}'/$$.args\n    tee '${logs}'/$$ | '${realGit}' "$@"; exit $?\n  fi\ndone\nexec '${realGit}' "$@"\n`);
  chmodSync(join(bin, "git"), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  try {
    const value = await run();
    const processes = readdirSync(logs).filter((f) => f.endsWith(".args")).map((f) => ({ args: readFileSync(join(logs, f), "utf8").trim(), requests: readFileSync(join(logs, f.slice(0, -5)), "utf8") }));
    return { value, processes };
  } finally {
    process.env.PATH = path;
  }
}

it("reads with git cat-file, in a full clone, only the versions no declared swap explains", async () => {
  const origin = join(dir, "origin");
  const { versions, predictable } = build(origin, "sha1");
  const { value: result, processes } = await catFileRequests(async () => (await auditRepository({ repo: origin })).result);
  const requests = processes.map((p) => p.requests).join("");
  expect(result.rows.filter((r) => r.service === "api").map((r) => r.digest)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12].map((n) => D(n)));
  expect(predictable).toHaveLength(7);
  for (const oid of predictable) expect(requests).not.toContain(oid);
  // The first version, the tag-writing swaps nothing declared, the lying hint and the hand edit: read.
  for (const label of ["init", "tag 7", "tag 8", "lying 9", "hand 10"]) expect(requests).toContain(versions.get(label)!);
});

it("predicts the versions of a Stagegate merge and reads those of a hand-made merge beside the log", async () => {
  const repo = ScratchRepo.create(join(dir, "merges"), { month: "2024-07" });
  repo.write("stagegate.yaml", "version: 1\nenvironments:\n  - { name: prod, path: envs/prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n  - { name: web, image: ghcr.io/acme/web }\n");
  repo.write(PATH, kustomization(1, 100));
  repo.commit("init");
  const version = () => repo.git(["rev-parse", `HEAD:${PATH}`]).trim();
  // Stagegate's PR, merged in GitHub's interface: the merge carries no trailer, its head does.
  repo.git(["checkout", "-q", "-b", "stagegate/prod/api"]);
  repo.write(PATH, kustomization(2, 100));
  repo.commit(promotion(1, 2));
  const promoted = version();
  repo.git(["checkout", "-q", "-"]);
  repo.merge("stagegate/prod/api", "Merge pull request #5 from acme/stagegate/prod/api\n\nPromote api to prod");
  // Someone's PR bumping web by hand.
  repo.git(["checkout", "-q", "-b", "bump"]);
  repo.write(PATH, kustomization(2, 101));
  repo.commit("bump web");
  const bumped = version();
  repo.git(["checkout", "-q", "-"]);
  repo.merge("bump", "Merge pull request #6 from someone/bump\n\nbump web");

  const { value: result, processes } = await catFileRequests(async () => (await auditRepository({ repo: repo.dir })).result);
  expect(result.rows.map((r) => [r.service, r.kind, r.digest])).toEqual([
    ["api", "initial", D(1)],
    ["web", "initial", D(100)],
    ["api", "promotion", D(2)],
    ["web", "hand-made", D(101)],
  ]);
  expect(processes.some((p) => p.requests.includes(promoted))).toBe(false);
  // Asked for by the bulk cat-file that runs beside the log, not in a round trip after it.
  const beside = processes.filter((p) => p.args.includes("--buffer"));
  expect(beside).toHaveLength(1);
  expect(beside[0]!.requests).toContain(bumped);
});

/** Two containers of api at two digests: a declared swap of one cannot say the service's digests, so the tracker parses. */
const twoContainers = (a: number, b: number, tag = "1") =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:v${tag}@${D(a)}\n        - name: api-worker\n          image: ghcr.io/acme/api@${D(b)}\n`;
const TWO_CONTAINERS = "envs/prod/deployment.yaml";
/** The digests of both containers, as the audit joins them. */
const both = (a: number, b: number) => [D(a), D(b)].sort().join("+");

/** A repository whose api runs in two containers (api 1, worker 50), then promoted 1 → 2 → 3 → 4; the blob ids of the promoted versions. */
function twoContainerHistory(origin: string): { repo: ScratchRepo; promoted: string[] } {
  const repo = ScratchRepo.create(origin, { month: "2024-06" });
  repo.write("stagegate.yaml", "version: 1\nenvironments:\n  - { name: prod, path: envs/prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n");
  repo.write(TWO_CONTAINERS, twoContainers(1, 50));
  repo.commit("init");
  const promoted: string[] = [];
  for (let i = 2; i <= 4; i++) {
    repo.write(TWO_CONTAINERS, twoContainers(i, 50));
    repo.commit(promotion(i - 1, i));
    promoted.push(repo.git(["rev-parse", `HEAD:${TWO_CONTAINERS}`]).trim());
  }
  return { repo, promoted };
}

/** The rows of twoContainerHistory, then `last`. */
const twoContainerRows = (last: [string, string, string]) => [
  ["initial", both(1, 50), undefined],
  ["promotion", both(2, 50), both(1, 50)],
  ["promotion", both(3, 50), both(2, 50)],
  ["promotion", both(4, 50), both(3, 50)],
  last,
];

it("parses predicted versions from the swaps written in order when a version later in the history makes the replay plan its reads", async () => {
  const origin = join(dir, "origin");
  const { repo } = twoContainerHistory(origin);
  // Declares api 4 → 5 but writes a tag no Stagegate-Tag declares: not predictable, so the replay
  // plans its reads (resolveVersions) and replays again, the versions before it as swaps kept pending.
  repo.write(TWO_CONTAINERS, twoContainers(5, 50, "5"));
  repo.commit(promotion(4, 5));
  // The evidence of the first replay's walk serves the second: the rows are still buildAudit's.
  const result = await auditCheckingWalks({ repo: origin });
  expect(result.rows.map((r) => [r.kind, r.digest, r.previous])).toEqual(twoContainerRows(["promotion", both(5, 50), both(4, 50)]));
});

it("predicts a version with its declared tag (Stagegate-Tag) as the replay goes, and checks it against the version before", async () => {
  const origin = join(dir, "origin");
  const repo = ScratchRepo.create(origin, { month: "2024-06" });
  repo.write("stagegate.yaml", "version: 1\nenvironments:\n  - { name: prod, path: envs/prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n  - { name: web, image: ghcr.io/acme/web }\n");
  repo.write(PATH, kustomization(1, 100, "v1"));
  repo.commit("init");
  const predictable: string[] = [];
  for (let i = 2; i <= 4; i++) {
    repo.write(PATH, kustomization(i, 100, `v${i}`));
    repo.commit(promotion(i - 1, i, `v${i}`));
    predictable.push(repo.git(["rev-parse", `HEAD:${PATH}`]).trim());
  }
  const { value: result, processes } = await catFileRequests(async () => (await auditRepository({ repo: origin })).result);
  const requests = processes.map((p) => p.requests).join("");
  for (const oid of predictable) expect(requests).not.toContain(oid);
  expect(result.rows.filter((r) => r.service === "api").map((r) => [r.kind, r.digest, r.tag])).toEqual([
    ["initial", D(1), undefined],
    ["promotion", D(2), "v2"],
    ["promotion", D(3), "v3"],
    ["promotion", D(4), "v4"],
  ]);
});

it("parses a predicted version when the declared swap alone cannot say the service's digests (a service under two digests)", async () => {
  // Two containers run api, at two digests: a declared swap of one is predicted (its object id checks
  // it), but the service's digests are both, so the version is parsed: from the swaps written in order.
  const origin = join(dir, "origin");
  const { repo, promoted } = twoContainerHistory(origin);
  // A hand edit after them: the version before it is the last predicted one, written from its swaps.
  repo.write(TWO_CONTAINERS, twoContainers(4, 51));
  repo.commit("bump the worker by hand");
  const { value: result, processes } = await catFileRequests(async () => (await auditRepository({ repo: origin })).result);
  const requests = processes.map((p) => p.requests).join("");
  for (const oid of promoted) expect(requests).not.toContain(oid);
  expect(result.rows.map((r) => [r.kind, r.digest, r.previous])).toEqual(twoContainerRows(["direct-push", both(4, 51), both(4, 50)]));
});
