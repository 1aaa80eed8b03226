import type { Artifact } from "../core/artifact.js";
import { TerminalError } from "../core/errors.js";
import { mergeAsPerson } from "../services/evaluate-promotion.js";
import type { Narrator } from "./narrator.js";
import type { Story } from "./story.js";
import { expectThat, short, trailerValues, type DemoWorld } from "./world.js";
import type { DemoHealthServer } from "./health-server.js";

const MINUTE = 60_000;
const CHECKOUT = "environments/{env}/checkout/kustomization.yaml";
export const checkoutFile = (env: string) => CHECKOUT.replace("{env}", env);

/**
 * Act one: checkout 1.4.0 goes dev → staging → prod-eu, where verification fails and Stagegate rolls
 * it back; prod-us refuses it. Every step asserts the repository state it narrates.
 */
export async function actOne(world: DemoWorld, story: Story, narrator: Narrator, health: DemoHealthServer, bad: Artifact, oldProdDigest: string): Promise<void> {
  const d = short(bad.digest);
  narrator.heading(`A new artifact: checkout ${bad.tag} (sha256:${d}), built from acme/checkout@${bad.source!.sha.slice(0, 7)} by ${bad.source!.author}`);

  let pr = 0;
  await story.step("dana asks to promote it to dev: Stagegate opens promotion PR #1", async () => {
    const outcome = await world.promote(bad, "dev", "dana");
    expectThat(outcome.status === "opened" && outcome.pr, `expected a new PR, got ${outcome.status}`);
    pr = outcome.pr.number;
    return [`branch ${outcome.pr.branch}`, `edits ${outcome.plan.files.map((f) => f.path).join(", ")}`];
  });

  await story.step("tick: dev has no gates and merge: auto, so Stagegate merges it and records a deployment", async () => {
    await world.tick();
    const merged = await world.pr(pr);
    expectThat(merged.state === "merged", `PR #${pr} is ${merged.state}`);
    const head = await world.head();
    expectThat(trailerValues(head.trailers, "Stagegate-PR").includes(`#${pr}`), "merge commit lacks Stagegate-PR trailer");
    expectThat((await world.fileAtHead(checkoutFile("dev"))).includes(bad.digest), "dev does not reference the new digest");
    expectThat((await world.note(head.sha)).includes('"mergedBy":"stagegate"'), "merge commit has no evidence note");
    const deployment = await world.latestDeployment("dev", "checkout");
    expectThat(deployment?.digest === bad.digest, "no dev deployment recorded");
    return [`main ${head.sha.slice(0, 7)} "${head.subject}"`, `deployment ${deployment.id} queued; evidence note on refs/notes/stagegate`];
  });

  await story.step("Argo CD reports the dev rollout healthy; tick verifies it and opens the staging PR", async () => {
    await world.deployStatus("dev", "checkout", "success");
    await world.tick();
    const open = (await world.openPrs()).find((p) => p.branch === `stagegate/staging/checkout/${d}`);
    expectThat(open, "no staging PR opened");
    pr = open.number;
    const checks = await world.checks(pr);
    expectThat(checks.get("stagegate/soak")?.status === "in_progress", "soak should be waiting");
    expectThat(checks.get("stagegate/upstream")?.conclusion === "success", "upstream should pass");
    expectThat(checks.get("stagegate/source-checks")?.conclusion === "success", "source checks should pass");
    return [`PR #${pr}: upstream ✔  source-checks ✔  soak ⏳ ${checks.get("stagegate/soak")?.title}`];
  });

  await story.step("30 minutes later the soak has passed: tick merges the staging PR", async () => {
    world.clock.advance(31 * MINUTE);
    await world.tick();
    expectThat((await world.pr(pr)).state === "merged", "staging PR not merged");
    expectThat((await world.fileAtHead(checkoutFile("staging"))).includes(bad.digest), "staging does not run the digest");
    return `staging now pins sha256:${d}`;
  });

  await story.step("the staging rollout is healthy (deep readiness check on the demo's loopback server): prod-eu PR opens, prod-us waits for prod-eu", async () => {
    await world.deployStatus("staging", "checkout", "success");
    await world.tick();
    const open = await world.openPrs();
    const eu = open.find((p) => p.branch === `stagegate/prod-eu/checkout/${d}`);
    expectThat(eu, "no prod-eu PR");
    expectThat(!open.some((p) => p.branch.startsWith("stagegate/prod-us/")), "prod-us must wait for prod-eu");
    pr = eu.number;
    const checks = await world.checks(pr);
    const line = ["upstream", "soak", "source-checks", "approvals", "window"].map((g) => `${g} ${checks.get(`stagegate/${g}`)?.conclusion ?? "⏳"}`).join(", ");
    expectThat(checks.get("stagegate")?.conclusion !== "success", "prod gates cannot all pass yet");
    return [`PR #${pr}: ${line}`, `window: ${checks.get("stagegate/window")?.title}`];
  });

  await story.step("marco (release manager) approves — but he wrote 1.4.0: separation of duties, it does not count", async () => {
    await world.adapter.pulls.submitReview(pr, "marco", "approved");
    await world.tick();
    const approvals = (await world.checks(pr)).get("stagegate/approvals");
    expectThat(approvals?.conclusion !== "success", "the author's approval must not count");
    expectThat(approvals?.summary.includes("does not count"), "the check must say why");
    return `stagegate/approvals: ${approvals?.title}`;
  });

  await story.step("rita (release manager) approves; merging now is refused: soak and the change window still block", async () => {
    await world.adapter.pulls.submitReview(pr, "rita", "approved");
    let refused = "";
    try {
      await mergeAsPerson(world.deps, pr, "rita");
    } catch (error) {
      if (!(error instanceof TerminalError)) throw error;
      refused = error.message;
    }
    expectThat(refused, "merge should have been refused");
    expectThat((await world.checks(pr)).get("stagegate/approvals")?.conclusion === "success", "rita's approval should count");
    return refused;
  });

  await story.step("09:05 in Berlin, an hour after staging: every gate is green; rita merges (prod merge is manual)", async () => {
    world.clock.advance(95 * MINUTE);
    await world.tick();
    expectThat((await world.pr(pr)).state === "open", "prod merge is manual: Stagegate must not merge");
    expectThat((await world.checks(pr)).get("stagegate")?.conclusion === "success", "summary should be green");
    await mergeAsPerson(world.deps, pr, "rita");
    const head = await world.head();
    expectThat(trailerValues(head.trailers, "Stagegate-Approved-By").includes("rita"), "no Approved-By trailer");
    expectThat(!trailerValues(head.trailers, "Stagegate-Approved-By").includes("marco"), "marco must not be recorded as approver");
    return [`${head.sha.slice(0, 7)} "${head.subject}"`, ...head.trailers.filter((t) => /approved-by|gates|merged-by/i.test(t.key)).map((t) => `${t.key}: ${t.value}`)];
  });

  await story.step("prod-eu's readiness check fails for 1.4.0 (database pool exhausted): after 3 attempts verification fails", async () => {
    health.breakDigest(bad.digest);
    await world.deployStatus("prod-eu", "checkout", "success");
    for (let i = 0; i < 3; i++) {
      await world.tick();
      world.clock.advance(31_000);
    }
    const deployment = await world.latestDeployment("prod-eu", "checkout");
    expectThat(deployment, "no prod-eu deployment");
    const verdict = deployment.kind === "rollback" ? (await world.adapter.deployments.listDeployments({ environment: "prod-eu", service: "checkout" })).find((x) => x.digest === bad.digest) : deployment;
    expectThat(verdict && verdict.statuses.some((s) => s.creator === "stagegate" && s.state === "failure"), "verification did not fail");
    return verdict.statuses.filter((s) => s.creator === "stagegate").map((s) => `${s.state}: ${s.description}`);
  });

  await story.step("Stagegate opened a rollback PR (exactly the files the promotion changed) and merged it (rollback fast path)", async () => {
    const head = await world.head();
    expectThat(trailerValues(head.trailers, "Stagegate-Kind").includes("rollback"), `HEAD is not a rollback: ${head.subject}`);
    const file = await world.fileAtHead(checkoutFile("prod-eu"));
    expectThat(file.includes(oldProdDigest) && !file.includes(bad.digest), "prod-eu does not run the previous digest again");
    const deployment = await world.latestDeployment("prod-eu", "checkout");
    expectThat(deployment?.kind === "rollback", "no rollback deployment recorded");
    const comments = await world.adapter.pulls.listComments(pr);
    expectThat(comments.some((c) => c.body.includes("rollback PR")), "the promotion PR was not told about its rollback");
    await world.deployStatus("prod-eu", "checkout", "success");
    await world.tick();
    expectThat((await world.latestDeployment("prod-eu", "checkout"))?.statuses.some((s) => s.creator === "stagegate" && s.state === "success"), "rollback not verified");
    expectThat(!(await world.openPrs()).some((p) => p.branch.endsWith(`/checkout/${d}`)), "1.4.0 must not be proposed again after failing");
    return [`"${head.subject}"`, `prod-eu runs sha256:${short(oldProdDigest)} again, verified healthy`];
  });

  await story.step("sam insists on promoting 1.4.0 to prod-us: the upstream gate fails, merging is refused", async () => {
    const outcome = await world.promote(bad, "prod-us", "sam");
    expectThat(outcome.pr, `expected a PR, got ${outcome.status}`);
    pr = outcome.pr.number;
    await world.tick();
    const checks = await world.checks(pr);
    expectThat(checks.get("stagegate/upstream")?.conclusion === "failure", "upstream gate should fail");
    expectThat(checks.get("stagegate")?.conclusion === "failure", "summary should fail");
    return `PR #${pr} stagegate/upstream: ${checks.get("stagegate/upstream")?.title}`;
  });
}
