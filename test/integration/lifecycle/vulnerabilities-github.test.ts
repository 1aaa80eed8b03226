// The vulnerabilities gate in the GitHub App gets its data: the SARIF/Trivy report the artifact links
// (scanUrl) and the open code scanning alerts of the source commit's analysed ref, read through the
// REST API as the fake serves it from GitHub's OpenAPI examples.
import { describe, expect, it } from "vitest";
import type { Probes } from "../../../src/services/probes.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { deliver, ENV_REPO, headOf, loadLifecycleApp, openPromotion, pullRequestEvent, SOURCE_SHA, worldWithPolicy } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

const SARIF = (levels: string[]) => ({
  version: "2.1.0",
  runs: [{ tool: { driver: { name: "Trivy", rules: levels.map((level, i) => ({ id: `CVE-2024-000${i}`, properties: { "security-severity": level } })) } }, results: levels.map((_, i) => ({ ruleId: `CVE-2024-000${i}`, message: { text: "vulnerable package" } })) }],
});

/** dev's policy with a vulnerabilities gate (no critical or high findings), auto-merge otherwise. */
function world(source: "any" | "report" | "code-scanning" = "any") {
  return worldWithPolicy("dev", `version: 1
gates:
  - gate: vulnerabilities
    source: ${source}
    max: { critical: 0, high: 0 }
merge:
  mode: auto
  method: squash
verification:
  statuses: ["argocd/*"]
  timeout: 30m
`);
}

async function evaluate(repos: ReturnType<typeof world>, artifact: { scanUrl?: string }, probes?: Probes) {
  const fake = fakeGitHub(repos);
  const { probot } = await loadLifecycleApp(fake, probes ? { probes } : {});
  const number = await openPromotion("dev", artifact);
  await deliver(probot, "pull_request", pullRequestEvent(fake, number));
  const gate = fake.state(ENV_REPO).latestRuns(headOf(fake, number), fake.app.id).find((r) => r.name === "stagegate/vulnerabilities")!;
  return { fake, probot, number, gate, merged: fake.state(ENV_REPO).merged.has(number) };
}

describe("vulnerabilities gate in the GitHub App", () => {
  it("reads the linked scan report: a high finding over the limit fails the gate and the PR is not merged", async () => {
    const asked: string[] = [];
    const probes: Probes = {
      measurePrometheus: () => Promise.reject(new Error("unused")),
      fetchHttpCheck: () => Promise.reject(new Error("unused")),
      fetchScanReport: (url) => (asked.push(url), Promise.resolve({ document: SARIF(["8.1", "4.0"]) })),
    };
    const { gate, merged } = await evaluate(world("report"), { scanUrl: "https://scans.example.com/checkout/aaaa.sarif?X-Amz-Signature=secret" }, probes);
    expect(asked).toEqual(["https://scans.example.com/checkout/aaaa.sarif?X-Amz-Signature=secret"]);
    expect(gate).toMatchObject({ conclusion: "failure", title: expect.stringContaining("over the limit: 1 high (max 0)") });
    // The report is named without its query: a pre-signed URL's signature stays out of the check run.
    expect(gate.summary + (gate.text ?? "")).toContain("Source: https://scans.example.com/checkout/aaaa.sarif");
    expect(gate.summary + (gate.text ?? "")).not.toContain("secret");
    expect(merged).toBe(false);
  });

  it("reads a report on an origin the policy names with its credentials and from the internal network", async () => {
    const repos = worldWithPolicy("dev", `version: 1
gates:
  - gate: vulnerabilities
    source: report
    max: { critical: 0, high: 0 }
    report:
      origins: [https://scans.acme.example]
      headersFromEnv: { Authorization: STAGEGATE_HTTP_SCAN_TOKEN }
      allowPrivateNetwork: true
`);
    const asked: [string, unknown][] = [];
    const probes: Probes = {
      measurePrometheus: () => Promise.reject(new Error("unused")),
      fetchHttpCheck: () => Promise.reject(new Error("unused")),
      fetchScanReport: (url, access) => (asked.push([url, access]), Promise.resolve({ document: SARIF(["4.0"]) })),
    };
    const { gate } = await evaluate(repos, { scanUrl: "https://scans.acme.example/checkout/aaaa.sarif" }, probes);
    expect(gate).toMatchObject({ conclusion: "success" });
    expect(asked).toEqual([["https://scans.acme.example/checkout/aaaa.sarif", { headersFromEnv: { Authorization: "STAGEGATE_HTTP_SCAN_TOKEN" }, allowPrivateNetwork: true }]]);
  });

  it("reads a report linked elsewhere (whoever sent the artifact chose the URL) with neither the token nor the internal network", async () => {
    const asked: [string, unknown][] = [];
    const probes: Probes = {
      measurePrometheus: () => Promise.reject(new Error("unused")),
      fetchHttpCheck: () => Promise.reject(new Error("unused")),
      fetchScanReport: (url, access) => (asked.push([url, access]), Promise.resolve({ document: SARIF(["4.0"]) })),
    };
    await evaluate(worldWithPolicy("dev", `version: 1
gates:
  - gate: vulnerabilities
    source: report
    max: { critical: 0 }
    report:
      origins: [https://scans.acme.example]
      headersFromEnv: { Authorization: STAGEGATE_HTTP_SCAN_TOKEN }
`), { scanUrl: "https://collector.attacker.example/x.sarif" }, probes);
    expect(asked).toEqual([["https://collector.attacker.example/x.sarif", undefined]]);
  });

  it("fails closed when the linked report cannot be fetched, even with code scanning alerts to fall back on", async () => {
    const repos = world("any");
    repos[1]!.codeScanning = { analyses: [{ commitSha: SOURCE_SHA, ref: "refs/heads/main" }], alerts: { "refs/heads/main": [] } };
    const probes: Probes = { measurePrometheus: () => Promise.reject(new Error("unused")), fetchHttpCheck: () => Promise.reject(new Error("unused")), fetchScanReport: () => Promise.resolve({ error: "answered 403" }) };
    const { gate } = await evaluate(repos, { scanUrl: "https://scans.example.com/checkout.json" }, probes);
    expect(gate).toMatchObject({ conclusion: "failure", title: expect.stringContaining("the scan report cannot be read") });
    expect(gate.summary + (gate.text ?? "")).toContain("https://scans.example.com/checkout.json: answered 403");
  });

  it("reads the open code scanning alerts of the ref the source commit was analysed on, every page of them", async () => {
    const repos = world("code-scanning");
    const medium = Array.from({ length: 150 }, (_, i) => ({ id: `js/rule-${i}`, severity: "medium" as const }));
    repos[1]!.codeScanning = {
      analyses: [{ commitSha: "9".repeat(40), ref: "refs/heads/main" }, { commitSha: SOURCE_SHA, ref: "refs/heads/release-1.1" }],
      alerts: { "refs/heads/main": [{ id: "js/sql-injection", severity: "critical" }], "refs/heads/release-1.1": [...medium, { id: "js/weak-crypto", severity: "low" }] },
    };
    const { gate, fake, merged } = await evaluate(repos, {});
    expect(gate).toMatchObject({ conclusion: "success", title: expect.stringContaining("within limits: 0 critical, 0 high, 150 medium, 1 low") });
    expect(gate.summary + (gate.text ?? "")).toContain("Source: code scanning alerts of acme/checkout at refs/heads/release-1.1");
    const reads = fake.requests.filter((r) => r.kind === "rest" && r.path.startsWith("/repos/acme/checkout/code-scanning/")).map((r) => (r as { path: string; query?: string }).path);
    expect(reads).toEqual(["/repos/acme/checkout/code-scanning/analyses", "/repos/acme/checkout/code-scanning/alerts", "/repos/acme/checkout/code-scanning/alerts"]);
    expect(merged).toBe(true);
  });

  it("reads the alerts of a source commit again only after 5 minutes (gates are evaluated on every event and tick)", async () => {
    const repos = world("code-scanning");
    // A critical alert: the gate fails, the PR stays open and is evaluated again.
    repos[1]!.codeScanning = { analyses: [{ commitSha: SOURCE_SHA, ref: "refs/heads/main" }], alerts: { "refs/heads/main": [{ id: "js/sql-injection", severity: "critical" }] } };
    const { fake, probot, number } = await evaluate(repos, {});
    const reads = () => fake.requests.filter((r) => r.kind === "rest" && r.path.startsWith("/repos/acme/checkout/code-scanning/")).length;
    expect(reads()).toBe(2);
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(reads()).toBe(2);
    fake.clock.advance(5 * 60_000 + 1);
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(reads()).toBe(4);
  });

  it("falls back to the default branch's alerts when no recent analysis is of the source commit, and says so", async () => {
    const repos = world("code-scanning");
    repos[1]!.codeScanning = { analyses: [{ commitSha: "9".repeat(40), ref: "refs/heads/main" }], alerts: { "refs/heads/main": [{ id: "js/sql-injection", severity: "critical" }] } };
    const { gate } = await evaluate(repos, {});
    expect(gate).toMatchObject({ conclusion: "failure", title: expect.stringContaining("over the limit: 1 critical (max 0)") });
    expect(gate.summary + (gate.text ?? "")).toContain(`acme/checkout's default branch (no analysis of ${SOURCE_SHA.slice(0, 12)} among its latest 100)`);
  });

  it("without a report or code scanning, fails for lack of data and says why", async () => {
    const { gate, merged } = await evaluate(world("any"), {});
    expect(gate).toMatchObject({ conclusion: "failure", title: expect.stringContaining("no vulnerability data: the code scanning alerts of acme/checkout cannot be read (no analysis: is code scanning set up?)") });
    expect(merged).toBe(false);
  });
});
