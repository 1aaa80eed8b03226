import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Artifact } from "../core/artifact.js";
import { actOne } from "./act-one.js";
import { actTwo } from "./act-two.js";
import { printAudit } from "./audit-table.js";
import { DemoHealthServer } from "./health-server.js";
import { Narrator } from "./narrator.js";
import { Story } from "./story.js";
import { adaptTemplate, readTree, TEMPLATE_DIR } from "./template.js";
import { DemoWorld, SimulatedClock, expectThat, fakeDigest, fakeSha } from "./world.js";

export interface DemoOptions {
  /** Where to create the environments repo (must not exist or be empty); default a new temp folder. */
  dir?: string;
  write: (text: string) => void;
  color: boolean;
}

export interface DemoResult {
  ok: boolean;
  dir: string;
  seconds: number;
}

/** Monday 2 March 2026, 06:00 UTC = 07:00 in Berlin: before prod's change window opens. */
const START = "2026-03-02T06:00:00Z";

function artifact(tag: string, author: string, committedAt: string): Artifact {
  return {
    service: "checkout",
    image: "ghcr.io/acme/checkout",
    digest: fakeDigest(`checkout ${tag}`),
    tag,
    source: { repo: "acme/checkout", sha: fakeSha(`checkout ${tag}`), author, committedAt },
    createdAt: committedAt,
  };
}

/**
 * `stagegate demo`: the whole lifecycle on a fresh local environments repository, narrated. Every
 * step checks the repository state it describes; the result is not ok when one does not.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const narrator = new Narrator(options.write, options.color);
  const story = new Story(narrator);
  const dir = resolve(options.dir ?? join(await mkdtemp(join(tmpdir(), "stagegate-demo-")), "environments"));
  const health = new DemoHealthServer();
  const clock = new SimulatedClock(START);
  let ok = true;
  try {
    const base = await health.start();
    narrator.raw(`${narrator.bold("Stagegate demo")} — the whole promotion lifecycle on a real git repository, no GitHub needed.\n`);
    narrator.say(narrator.dim(`Simulated clock from ${START} (07:00 in Berlin). Local mode keeps PRs, checks and deployments in refs/stagegate/*.`));
    narrator.heading("Setup");
    // marco is a release manager who also wrote 1.4.0: his approval of it must not count.
    const bad = artifact("1.4.0", "marco", "2026-03-02T05:40:00Z");
    const fixed = artifact("1.4.1", "dana", "2026-03-02T07:50:00Z");
    let world: DemoWorld | undefined;
    let oldProdDigest = "";
    await story.step(`environments repo created from environments-template/ at ${dir}`, async () => {
      const files = adaptTemplate(await readTree(TEMPLATE_DIR), base);
      world = await DemoWorld.create(dir, files, clock);
      oldProdDigest = /digest: (sha256:[0-9a-f]{64})/.exec(files.get("environments/prod-eu/checkout/kustomization.yaml") ?? "")?.[1] ?? "";
      expectThat(oldProdDigest, "template prod-eu checkout has no digest");
      return [
        "demo changes to the template: health URLs point at a loopback server started by the demo (allowPrivateNetwork: true),",
        "prod's metrics gate is dropped (no Prometheus here), prod health checks 3 attempts instead of 20",
      ];
    });
    const w = world!;
    await story.step("facts GitHub would know, recorded in refs/stagegate/facts: teams and the source commits' CI", async () => {
      await w.adapter.source.recordTeam("acme/release-managers", ["rita", "marco"], "platform-team");
      await w.adapter.source.recordTeam("acme/sre", ["sam", "sol"], "platform-team");
      for (const a of [bad, fixed]) {
        await w.adapter.source.recordSourceChecks(a.source!.repo, a.source!.sha, [{ name: "build", status: "completed", conclusion: "success" }, { name: "test-unit", status: "completed", conclusion: "success" }], "github-actions");
      }
      return "acme/release-managers: rita, marco · acme/sre: sam, sol · CI green on both source commits";
    });
    await actOne(w, story, narrator, health, bad, oldProdDigest);
    await actTwo(w, story, narrator, fixed);
    narrator.heading("Audit: what ran where, read back from git history (trailers + refs/notes/stagegate)");
    const rows = await printAudit(dir, clock.now(), narrator);
    expectThat(rows.some((r) => r.kind === "rollback" && r.environment === "prod-eu"), "the audit does not show the prod-eu rollback");
  } catch {
    ok = false;
  } finally {
    await health.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  narrator.heading(ok ? `Done in ${seconds.toFixed(1)}s` : `The demo did not go as narrated (${seconds.toFixed(1)}s)`);
  narrator.say(`The repository is at ${dir}. Try:`);
  narrator.say(`  git -C ${dir} log --notes=stagegate --format='%h %s%n%(trailers:only)%N'`);
  narrator.say(`  git -C ${dir} for-each-ref refs/stagegate`);
  narrator.say(`  git -C ${dir} log refs/stagegate/pulls/3 --format='%an %s'`);
  narrator.say(`  stagegate status --repo ${dir}`);
  narrator.say(`  stagegate audit --repo ${dir} --format html --out audit.html`);
  // The story's simulated clock, not the wall clock, ends DORA's window: the demo's history is dated by it.
  narrator.say(`  stagegate dora --repo ${dir} --env prod-eu --window 1d --now ${clock.now().toISOString()}`);
  return { ok: ok && narrator.failures === 0, dir, seconds };
}
