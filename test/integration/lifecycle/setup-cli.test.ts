import { describe, expect, it } from "vitest";
import { runSetup } from "../../../src/cli/commands/setup.js";
import { createTestClient } from "../../support/github/harness.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { createLifecycleWorld, ENV_REPO } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { env: {}, out: (l: string) => out.push(l), err: (l: string) => err.push(l), client: createTestClient() } };
}

describe("stagegate setup", () => {
  it("creates the ruleset, then repairs it in place on a second run", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const first = io();
    expect(await runSetup({ repo: ENV_REPO, appId: "1234" }, first.io)).toBe(0);
    expect(await runSetup({ repo: ENV_REPO, appId: "1234" }, first.io)).toBe(0);
    expect(first.out[0]).toMatch(/^ruleset created/);
    expect(first.out[1]).toMatch(/^ruleset updated/);
    expect(fake.state(ENV_REPO).rulesets).toHaveLength(1);
  });

  it("opens the setup issue and exits 1 without admin rights; refuses bad usage with 2", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    fake.state(ENV_REPO).administration = false;
    const run = io();
    expect(await runSetup({ repo: ENV_REPO, appId: "1234" }, run.io)).toBe(1);
    expect(run.err[0]).toContain("setup issue #");
    expect(await runSetup({ repo: "not a repo", appId: "1234" }, run.io)).toBe(2);
    expect(await runSetup({ repo: ENV_REPO }, run.io)).toBe(2);
  });
});
