// The HTML audit report rendered in headless Chromium: the page must load with no external asset
// and show its sections. The screenshot path is printed for a human look.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditRepository, renderAudit } from "../../src/cli/commands/audit.js";
import { digestOf, HistoryBuilder } from "../support/history-builder.js";

const chromium = spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"]).stdout.toString().trim();
const HOUR = 3_600_000;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-html-"));
  const builder = new HistoryBuilder([{ name: "staging" }, { name: "prod", from: ["staging"] }], [{ name: "api", image: "ghcr.io/acme/api" }]);
  const t0 = Date.parse("2024-04-01T00:00:00Z");
  builder.init(new Date(t0), { staging: { api: digestOf(1) }, prod: { api: digestOf(1) } });
  for (let i = 0; i < 60; i++) {
    const at = new Date(t0 + (i + 1) * 9 * HOUR);
    builder.promote({ env: i % 2 ? "prod" : "staging", service: "api", digest: digestOf(10 + i), at, approvers: ["alice"], sourceCommittedAt: new Date(at.getTime() - 5 * HOUR), deployment: { state: i % 9 === 0 ? "failure" : "success", at } });
  }
  builder.manual("direct-push", { env: "prod", service: "api", digest: digestOf(999), at: new Date(t0 + 70 * 9 * HOUR) });
  builder.write(join(dir, "repo"));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.skipIf(!chromium)("renders a self-contained HTML report that Chromium loads (chromium not installed)", async () => {
  const { history, result } = await auditRepository({ repo: join(dir, "repo") });
  const html = renderAudit("html", result, history, {});
  const page = join(dir, "audit.html");
  writeFileSync(page, html);
  const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${join(dir, "profile")}`];
  const png = join(dir, "audit.png");
  execFileSync(chromium, [...flags, `--screenshot=${png}`, "--window-size=1280,2000", `file://${page}`], { stdio: "ignore", timeout: 60_000 });
  const dom = execFileSync(chromium, [...flags, "--dump-dom", `file://${page}`], { timeout: 60_000, maxBuffer: 1 << 26 }).toString();
  // Kept outside the removed temp dir so a person can look at it after the run.
  const kept = join(tmpdir(), "stagegate-audit-report.png");
  writeFileSync(kept, readFileSync(png));
  console.log(`audit HTML screenshot: ${kept}`);
  for (const heading of ["DORA weekly series", "Changes", "Findings"]) expect(dom).toContain(`<h2>${heading}</h2>`);
  expect(dom).toContain("Deployments per week");
  expect((dom.match(/<svg /g) ?? []).length).toBe(3);
  expect(dom).toContain("direct push to the default branch");
  expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
}, 120_000);
