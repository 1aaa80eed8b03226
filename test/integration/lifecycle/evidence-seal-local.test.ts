// Local mode with STAGEGATE_EVIDENCE_KEY: the PRs it opens are sealed, a PR whose block it cannot verify
// is refused, and promoting the same artifact again replaces the block with a sealed one (local adapter's
// replaceBody), as in the App.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { initLocalRepo } from "../../../src/adapters/git/local-adapter.js";
import { localSeal, toLifecycleDeps } from "../../../src/adapters/git/local-lifecycle.js";
import { parsePromotionBody, sealProblem } from "../../../src/core/evidence/body.js";
import { evaluatePromotion } from "../../../src/services/evaluate-promotion.js";
import { promote } from "../../../src/services/promote.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const kustomization = (digest: string) => `kind: Kustomization\nimages:\n  - name: ghcr.io/acme/api\n    digest: ${digest}\n`;
const KEY = { STAGEGATE_EVIDENCE_KEY: "cd".repeat(32) };

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

async function setup() {
  const files = new Map([
    ["stagegate.yaml", "version: 1\nenvironments:\n  - { name: dev, path: envs/dev, policy: dev }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n"],
    ["policies/dev.yaml", "version: 1\nmerge: { mode: auto }\n"],
    ["envs/dev/kustomization.yaml", kustomization(D("0"))],
  ]);
  const dir = await mkdtemp(join(tmpdir(), "stagegate-seal-local-"));
  dirs.push(dir);
  const adapter = await initLocalRepo(dir, files, { clock: { now: () => new Date("2026-03-02T10:00:00Z") } });
  return { adapter, unsealed: toLifecycleDeps(adapter), sealed: toLifecycleDeps(adapter, { seal: localSeal(KEY)! }) };
}

const artifact = { service: "api", image: "ghcr.io/acme/api", digest: D("1") };

describe("local mode with STAGEGATE_EVIDENCE_KEY", () => {
  it("refuses a PR opened without the key, and re-seals it when the artifact is promoted again", async () => {
    const { unsealed, sealed } = await setup();
    const opened = await promote(unsealed, { artifact, environment: "dev", requestedBy: "dana" });
    const number = opened.pr!.number;
    const refused = await evaluatePromotion(sealed, number);
    expect(refused).toMatchObject({ status: "untrusted", summary: { conclusion: "failure" } });

    const again = await promote(sealed, { artifact, environment: "dev", requestedBy: "erin" });
    expect(again).toMatchObject({ status: "exists", pr: { number } });
    const parsed = parsePromotionBody((await sealed.pulls.getPullRequest(number)).body);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.evidence.requestedBy).toBe("erin");
    expect(sealProblem(parsed, localSeal(KEY)!)).toBeUndefined();
    expect(await evaluatePromotion(sealed, number)).toMatchObject({ status: "merged" });
  });

  it("names a key that is too short", () => {
    expect(() => localSeal({ STAGEGATE_EVIDENCE_KEY: "short" })).toThrow(/STAGEGATE_EVIDENCE_KEY must hold at least 32 bytes/);
    expect(localSeal({})).toBeUndefined();
  });
});
