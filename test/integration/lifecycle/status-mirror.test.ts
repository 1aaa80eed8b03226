// A deployer's commit status is mirrored onto the deployment as `[<context>] <description>`, posted by
// the app's bot; read back, anything the bot posted that is not such a mirror is Stagegate's own verdict.
// So a context that would not read back as itself is never mirrored, and a bot status that opens like a
// mirror without reading back is a deployer's, never a verdict (which would skip verification).
import { describe, expect, it } from "vitest";
import { creatorOfBotStatus, UNKNOWN_DEPLOYER } from "../../../src/adapters/github/deployment-payload.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { createLifecycleWorld, deliver, ENV_REPO, loadLifecycleApp, openPromotion, pullRequestEvent, statusEvent } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

describe("mirrored deployer statuses", () => {
  it("ignores a context that would not read back as itself: the deployment is not verified by it", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = await openPromotion("dev");
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    const merge = fake.state(ENV_REPO).merged.get(number)!.sha;
    // dev's policy verifies on statuses named argocd/*: this one matches, but holds a space.
    await deliver(probot, "status", statusEvent(ENV_REPO, merge, "argocd/shop dev", "success", "Sync succeeded"));
    await deliver(probot, "status", statusEvent(ENV_REPO, merge, `argocd/${"x".repeat(120)}`, "success", "Sync succeeded"));
    expect(fake.state(ENV_REPO).deployments[0]!.statuses).toEqual([]);
    expect(fake.repo(ENV_REPO).openPulls()).toHaveLength(0);
    // A well-formed one is mirrored and verifies it.
    await deliver(probot, "status", statusEvent(ENV_REPO, merge, "argocd/shop-dev", "success", "Sync succeeded"));
    expect(fake.state(ENV_REPO).deployments[0]!.statuses.map((s) => s.description)).toEqual(["[argocd/shop-dev] Sync succeeded", "Verified: the deployer reported success ([argocd/shop-dev] Sync succeeded)"]);
  });

  it("reads a bot status that opens like a mirror but does not read back as a deployer's, never as Stagegate's verdict", () => {
    expect(creatorOfBotStatus("[argocd/shop] Sync succeeded", "stagegate")).toBe("argocd/shop");
    expect(creatorOfBotStatus("[argocd/shop dev] Sync succeeded", "stagegate")).toBe(UNKNOWN_DEPLOYER);
    expect(creatorOfBotStatus(`[argocd/${"x".repeat(120)}] Sync succeeded`, "stagegate")).toBe(UNKNOWN_DEPLOYER);
    expect(creatorOfBotStatus("Verified: the deployer reported success", "stagegate")).toBe("stagegate");
  });
});
