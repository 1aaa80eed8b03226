import { describe, expect, it } from "vitest";
import { loadConfiguration } from "../../../src/core/config/index.js";
import { buildDashboardState, buildMatrix, padMatrix, readDashboardHash, renderDashboard } from "../../../src/core/dashboard/index.js";
import { ISSUE_BODY_LIMIT } from "../../../src/core/dashboard/render.js";
import { createSnapshot } from "../../../src/core/snapshot.js";
import { dashboardFiles, deployment, dig, openPromotion } from "./fixture.js";

function state(now = "2026-03-02T10:00:00Z") {
  const snapshot = createSnapshot(dashboardFiles(), "f".repeat(40));
  const result = loadConfiguration(snapshot.files);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  const deployments = [
    deployment("3", "prod", "api", dig("a0"), "2026-03-01T12:00:00Z", [{ state: "success", at: "2026-03-01T12:10:00Z" }], { kind: "rollback", previousDigest: dig("ff"), reason: "verification failed: 5xx rate", pullRequest: 6 }),
    deployment("2", "prod", "api", dig("ff"), "2026-03-01T09:00:00Z", [{ state: "failure", at: "2026-03-01T09:30:00Z" }], { previousDigest: dig("a0") }),
    deployment("1", "dev", "api", dig("a1"), "2026-03-01T08:00:00Z", [{ state: "success", at: "2026-03-01T08:05:00Z", creator: "argocd" }, { state: "success", at: "2026-03-01T08:20:00Z" }]),
  ];
  return buildDashboardState({ now: new Date(now), repo: "acme/environments", snapshot, loaded: result.loaded, deployments, pulls: [openPromotion()], verifier: "stagegate" });
}

describe("dashboard state", () => {
  it("derives health per cell, pending approvals against the SLA, freezes, overrides and rollbacks", () => {
    const s = state();
    expect(s.cells).toEqual([
      { environment: "dev", service: "api", digests: [dig("a1")], health: "healthy", since: "2026-03-01T08:20:00Z" },
      { environment: "prod", service: "api", digests: [dig("a0")], health: "healthy", since: "2026-03-01T12:10:00Z" },
      { environment: "dev", service: "web", digests: [dig("b1")], health: "initial" },
      { environment: "prod", service: "web", digests: [], health: "absent" },
    ]);
    expect(s.approvals).toEqual([expect.objectContaining({ number: 7, gate: "approvals", ageMs: 5 * 3_600_000, slaMs: 4 * 3_600_000, breached: true })]);
    expect(s.freezes).toEqual([expect.objectContaining({ environment: "prod", gate: "window", state: "frozen" })]);
    expect(s.overrides).toEqual([{ number: 7, url: openPromotion().pr.url, gate: "window", title: "overridden by rita: hotfix for INC-42" }]);
    expect(s.rollbacks).toEqual([{ environment: "prod", service: "api", digest: dig("a0"), from: dig("ff"), at: "2026-03-01T12:00:00Z", reason: "verification failed: 5xx rate", pullRequest: 6 }]);
    expect(s.dora).toMatchObject({ environments: ["prod"], changeFailureRate: 1, timeToRestoreMs: (2 * 60 + 40) * 60_000 });
  });

  it("has no freeze once the window reopens, and an approval within its SLA is not breached", () => {
    const s = state("2026-03-02T06:00:00Z");
    expect(s.approvals[0]).toMatchObject({ breached: false, ageMs: 3_600_000 });
    expect(state("2026-03-10T00:00:00Z").freezes).toEqual([]);
  });

  it("builds the terminal matrix `stagegate status` prints", () => {
    expect(padMatrix(buildMatrix(state()))).toEqual([
      "service  dev                                          prod",
      "api      a1a1a1a1a1a1 healthy since 2026-03-01 08:20  a0a0a0a0a0a0 healthy since 2026-03-01 12:10",
      "web      b1b1b1b1b1b1 (initial)                       —",
    ]);
  });
});

describe("dashboard body", () => {
  it("renders every section", () => {
    const { body } = renderDashboard(state());
    expect(body.replace(/dashboard-hash:[0-9a-f]+/, "dashboard-hash:HASH")).toMatchInlineSnapshot(`
      "<!-- stagegate:dashboard -->
      <!-- stagegate:dashboard-hash:HASH -->
      # Stagegate dashboard

      What runs where in \`acme/environments\` \`main\` at \`fffffff\`, kept up to date by Stagegate (last change seen 2026-03-02 10:00 UTC). Edits to this issue are overwritten; close it to stop updates until it is reopened or deleted.

      ## What runs where

      | service | dev | prod |
      |---|---|---|
      | api | \`a1a1a1a1a1a1\` ✅ healthy since 2026-03-01 08:20 | \`a0a0a0a0a0a0\` ✅ healthy since 2026-03-01 12:10 |
      | web | \`b1b1b1b1b1b1\` initial | — |

      ## Open promotions (1)

      | PR | lane | stagegate | gates |
      |---|---|---|---|
      | [\\#7](https://github.com/acme/environments/pull/7) Promote api to prod | api → prod | ⏳ 1 of 3 gates pending | ⏳ approvals · ✅ upstream · ✅ window |

      ## Pending approvals

      | PR | gate | waiting for | opened | SLA |
      |---|---|---|---|---|
      | [\\#7](https://github.com/acme/environments/pull/7) | approvals | 0 of 1 approvals \\(rita\\) | 2026-03-02 05:00 | 4h, ⚠️ breached at 2026-03-02 09:00 |

      ## Freezes

      - **prod** (window, frozen): frozen: "release freeze" until 2026-03-09 00:00 Europe/Paris

      ## Overrides in force

      - [\\#7](https://github.com/acme/environments/pull/7) window: overridden by rita: hotfix for INC-42

      ## Recent rollbacks (14 days)

      | when | environment | service | to | from | reason |
      |---|---|---|---|---|---|
      | 2026-03-01 12:00 | prod | api | \`a0a0a0a0a0a0\` | \`ffffffffffff\` | verification failed: 5xx rate (#6) |

      ## DORA (30 days, prod)

      | deployment frequency | lead time | change failure rate | time to restore |
      |---|---|---|---|
      | 0.07/day (medium) | 30m (elite) | 100% (low) | 2.7h (high) |
      "
    `);
  });

  it("hashes content, not the time it was gathered; any change of content changes the hash", () => {
    const a = renderDashboard(state("2026-03-02T10:00:00Z"));
    const b = renderDashboard(state("2026-03-02T10:01:00Z"));
    expect(b.hash).toBe(a.hash);
    expect(readDashboardHash(a.body)).toBe(a.hash);
    const changed = state("2026-03-02T10:00:00Z");
    changed.cells[0]!.health = "failed";
    expect(renderDashboard(changed).hash).not.toBe(a.hash);
  });

  it("shows a cell whose files disagree as such, whatever was deployed of one of the digests", () => {
    const files = dashboardFiles();
    files["environments/prod/api.yaml"] = `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api@${dig("a1")}\n`;
    const snapshot = createSnapshot(files, "f".repeat(40));
    const result = loadConfiguration(snapshot.files);
    if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
    const deployments = [deployment("4", "prod", "api", dig("a0"), "2026-03-01T12:00:00Z", [{ state: "success", at: "2026-03-01T12:10:00Z" }])];
    const mixed = buildDashboardState({ now: new Date("2026-03-02T10:00:00Z"), snapshot, loaded: result.loaded, deployments, pulls: [], verifier: "stagegate" });
    expect(mixed.cells.find((c) => c.environment === "prod" && c.service === "api")).toEqual({ environment: "prod", service: "api", digests: [dig("a0"), dig("a1")], health: "mixed" });
    expect(buildMatrix(mixed).find((row) => row[0] === "api")?.[2]).toBe(`a0a0a0a0a0a0+a1a1a1a1a1a1 (files disagree)`);
    expect(renderDashboard(mixed).body).toContain("`a0a0a0a0a0a0+a1a1a1a1a1a1` ⚠️ files disagree");
  });

  it("stays under GitHub's issue body limit: long sections end in '…and N more', and what still does not fit is cut with a note", () => {
    const busy = state();
    const template = busy.pullRequests[0]!;
    busy.pullRequests = Array.from({ length: 250 }, (_, i) => ({ ...template, number: 100 + i, title: `Promote api to prod, attempt ${i} ${"x".repeat(200)}` }));
    const { body } = renderDashboard(busy);
    expect(body.length).toBeLessThan(ISSUE_BODY_LIMIT);
    expect(body).toContain("| …and 190 more |");
    expect(body).toContain("#159");
    expect(body).not.toContain("#160]");

    const huge = state();
    huge.services = Array.from({ length: 2_000 }, (_, i) => `service-${i}`);
    huge.cells = huge.services.flatMap((service) => huge.environments.map((environment) => ({ environment, service, digests: [dig("a0")], health: "healthy" as const, since: "2026-03-01T12:10:00Z" })));
    const cut = renderDashboard(huge);
    expect(cut.body.length).toBeLessThan(ISSUE_BODY_LIMIT);
    expect(cut.body).toContain("The dashboard is cut here");
    expect(cut.body.split("\n").filter((line) => line.startsWith("| service-")).length).toBeGreaterThan(100);
    expect(readDashboardHash(cut.body)).toBe(cut.hash);
  });

  it("escapes names and titles taken from PRs and payloads", () => {
    const s = state();
    s.pullRequests[0]!.title = "Promote | @everyone <img src=x>";
    const { body } = renderDashboard(s);
    expect(body).toContain("Promote \\| @\u200beveryone \\<img src=x\\>");
    // An entity GitHub would decode into a live mention stays text: the & is escaped.
    s.pullRequests[0]!.title = "ping &commat;acme/sre and &#x40;acme/ops";
    expect(renderDashboard(s).body).toContain("ping \\&commat;acme/sre and \\&\\#x40;acme/ops");
  });
});
