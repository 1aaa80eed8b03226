import type { Artifact } from "../core/artifact.js";
import { mergeAsPerson } from "../services/evaluate-promotion.js";
import { checkoutFile } from "./act-one.js";
import type { Narrator } from "./narrator.js";
import type { Story } from "./story.js";
import { expectThat, short, trailerValues, type DemoWorld } from "./world.js";

const MINUTE = 60_000;

/** Act two: the fixed build 1.4.1 flows through every environment; the stale prod-us PR is superseded. */
export async function actTwo(world: DemoWorld, story: Story, narrator: Narrator, fixed: Artifact): Promise<void> {
  const d = short(fixed.digest);
  narrator.heading(`The fix: checkout ${fixed.tag} (sha256:${d})`);

  const find = async (env: string) => (await world.openPrs()).find((p) => p.branch === `stagegate/${env}/checkout/${d}`);

  await story.step("dev: promoted, auto-merged, rolled out healthy, verified", async () => {
    const outcome = await world.promote(fixed, "dev", "dana");
    expectThat(outcome.status === "opened", `dev PR: ${outcome.status}`);
    await world.tick();
    expectThat((await world.fileAtHead(checkoutFile("dev"))).includes(fixed.digest), "dev not updated");
    await world.deployStatus("dev", "checkout", "success");
    await world.tick();
    expectThat(await find("staging"), "no staging PR after dev verified");
    return `staging PR #${(await find("staging"))!.number} opened`;
  });

  await story.step("staging: soaked 30 minutes, auto-merged, verified; prod-eu PR opens", async () => {
    world.clock.advance(31 * MINUTE);
    await world.tick();
    expectThat((await world.fileAtHead(checkoutFile("staging"))).includes(fixed.digest), "staging not updated");
    await world.deployStatus("staging", "checkout", "success");
    await world.tick();
    expectThat(await find("prod-eu"), "no prod-eu PR");
    return `prod-eu PR #${(await find("prod-eu"))!.number} opened`;
  });

  await story.step("prod-eu: marco approves, soak passes, rita merges; rollout verified; prod-us PR supersedes sam's", async () => {
    const eu = (await find("prod-eu"))!;
    await world.adapter.pulls.submitReview(eu.number, "marco", "approved");
    world.clock.advance(61 * MINUTE);
    await world.tick();
    await mergeAsPerson(world.deps, eu.number, "rita");
    expectThat((await world.fileAtHead(checkoutFile("prod-eu"))).includes(fixed.digest), "prod-eu not updated");
    await world.deployStatus("prod-eu", "checkout", "success");
    await world.tick();
    const us = await find("prod-us");
    expectThat(us, "no prod-us PR after prod-eu verified");
    const stale = (await world.adapter.pulls.listAll()).find((p) => p.branch.startsWith("stagegate/prod-us/") && p.number < us.number);
    expectThat(stale?.state === "closed", "sam's prod-us PR for 1.4.0 should be superseded");
    return [`prod-us PR #${us.number} opened; #${stale.number} closed as superseded`];
  });

  await story.step("prod-us: approved by rita, soaked, merged by marco, verified — 1.4.1 runs everywhere", async () => {
    const us = (await find("prod-us"))!;
    await world.adapter.pulls.submitReview(us.number, "rita", "approved");
    world.clock.advance(61 * MINUTE);
    await world.tick();
    await mergeAsPerson(world.deps, us.number, "marco");
    const head = await world.head();
    expectThat(trailerValues(head.trailers, "Stagegate-Approved-By").includes("rita"), "prod-us merge lacks approver");
    await world.deployStatus("prod-us", "checkout", "success");
    await world.tick();
    for (const env of ["dev", "staging", "prod-eu", "prod-us"]) expectThat((await world.fileAtHead(checkoutFile(env))).includes(fixed.digest), `${env} does not run ${d}`);
    const deployment = await world.latestDeployment("prod-us", "checkout");
    expectThat(deployment?.statuses.some((s) => s.creator === "stagegate" && s.state === "success"), "prod-us not verified");
    const second = await world.tick();
    expectThat(second.recorded.length === 0 && second.evaluations.every((e) => e.written.length === 0 && e.status !== "merged"), "a second tick must change nothing");
    return "a second tick changes nothing (level-triggered, idempotent)";
  });
}
