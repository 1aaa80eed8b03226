// `defaults.auto: merge` makes every environment without its own `auto` merge its promotion PRs once
// green, as an environment's own `auto: merge` does (the policy's merge mode being manual).
import { describe, expect, it } from "vitest";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { createLifecycleWorld, deliver, ENV_REPO, environmentsFiles, loadLifecycleApp, openPromotion, pullRequestEvent } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

async function promoteToDev(defaults: string, devAuto?: string): Promise<boolean> {
  const files = environmentsFiles();
  files["stagegate.yaml"] = files["stagegate.yaml"]!.replace("version: 1\n", `version: 1\ndefaults:\n${defaults}`).replace("    policy: dev\n  - name: staging", `    policy: dev\n${devAuto ? `    auto: ${devAuto}\n` : ""}  - name: staging`);
  files["policies/dev.yaml"] = "version: 1\nmerge:\n  mode: manual\n  method: squash\nverification:\n  statuses: [\"argocd/*\"]\n  timeout: 30m\n";
  const fake = fakeGitHub(createLifecycleWorld(files));
  const { probot } = await loadLifecycleApp(fake);
  const number = await openPromotion("dev");
  await deliver(probot, "pull_request", pullRequestEvent(fake, number));
  return fake.state(ENV_REPO).merged.has(number);
}

describe("defaults.auto", () => {
  it("merge: a green PR of an environment without its own auto is merged", async () => {
    expect(await promoteToDev("  auto: merge\n")).toBe(true);
  });

  it("pr: it is left for a person to merge", async () => {
    expect(await promoteToDev("  auto: pr\n")).toBe(false);
  });

  it("an environment's own auto: pr wins over defaults.auto: merge", async () => {
    expect(await promoteToDev("  auto: merge\n", "pr")).toBe(false);
  });

  it("an environment's own auto: merge wins over defaults.auto: pr", async () => {
    expect(await promoteToDev("  auto: pr\n", "merge")).toBe(true);
  });
});
