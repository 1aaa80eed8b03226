import { afterEach } from "vitest";
import type { FakeRepo } from "../../../support/github/fake-state.js";
import { LifecycleGitHub, type TestClock } from "./lifecycle-github.js";

/** Registers cleanup: removes interceptors and fails the test on contract violations. */
export function useLifecycleGitHub(): (repos: FakeRepo[], clock?: TestClock) => LifecycleGitHub {
  const created: LifecycleGitHub[] = [];
  afterEach(() => {
    const fakes = created.splice(0);
    for (const fake of fakes) fake.dispose();
    for (const fake of fakes) if (fake.violations.length > 0) throw new Error(`GitHub contract violations:\n${fake.violations.join("\n")}`);
  });
  return (repos, clock) => {
    const fake = new LifecycleGitHub(repos, clock).install();
    created.push(fake);
    return fake;
  };
}
