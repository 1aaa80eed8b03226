import { describe, expect, it } from "vitest";
import { diffDeployedDigests, getDeployed, readDeployedDigests } from "../../../src/core/lifecycle/digests.js";
import { D, loaded, snapshotWith } from "./fixtures.js";

describe("readDeployedDigests", () => {
  it("reads each (environment, service) from the files that reference the image", () => {
    const snap = snapshotWith({ dev: D("a"), eu: D("b") });
    const map = readDeployedDigests(snap, loaded(snap));
    expect(getDeployed(map, "dev", "api")).toEqual({ environment: "dev", service: "api", image: "ghcr.io/acme/api", digests: [D("a")], files: ["envs/dev/app/kustomization.yaml", "envs/dev/worker/kustomization.yaml"] });
    expect(getDeployed(map, "eu", "db")?.files).toEqual(["envs/eu/db/kustomization.yaml"]);
    expect(getDeployed(map, "us", "api")).toBeUndefined();
  });

  it("ignores files an editor cannot parse instead of failing", () => {
    const snap = snapshotWith({ dev: D("a") }, { "envs/dev/broken.yaml": "images: [\n  - {{ .Values }}" });
    expect(getDeployed(readDeployedDigests(snap, loaded(snap)), "dev", "api")?.digests).toEqual([D("a")]);
  });
});

describe("diffDeployedDigests", () => {
  const diff = (before: Record<string, string>, after: Record<string, string>) => {
    const b = snapshotWith(before);
    const a = snapshotWith(after);
    return diffDeployedDigests(readDeployedDigests(b, loaded(a)), readDeployedDigests(a, loaded(a)));
  };

  it("reports one change per (environment, service) whose digest moved", () => {
    expect(diff({ dev: D("a"), eu: D("a") }, { dev: D("b"), eu: D("a") })).toEqual([
      { environment: "dev", service: "api", image: "ghcr.io/acme/api", digest: D("b"), previous: D("a") },
      { environment: "dev", service: "db", image: "ghcr.io/acme/db", digest: D("b"), previous: D("a") },
    ]);
  });

  it("reports nothing when no digest moved", () => {
    expect(diff({ dev: D("a") }, { dev: D("a") })).toEqual([]);
  });

  it("reports a new environment without previous and a removed one without digest", () => {
    const changes = diff({ dev: D("a") }, { eu: D("a") });
    expect(changes.filter((c) => c.service === "api")).toEqual([
      { environment: "dev", service: "api", image: "ghcr.io/acme/api", previous: D("a") },
      { environment: "eu", service: "api", image: "ghcr.io/acme/api", digest: D("a") },
    ]);
  });
});
