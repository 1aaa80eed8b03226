// The HTML audit report rendered in headless Chromium: the page must load with no request but its own
// and show its sections. A full-page screenshot is taken and its pixels checked where the page laid
// out each section (ink under every heading, the charts' bars in their colours, the direct push's row
// highlighted, the finding's severity in red); its path is printed for a human look.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { PNG } from "pngjs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditRepository, renderAudit } from "../../src/cli/commands/audit.js";
import { digestOf, HistoryBuilder } from "../support/history-builder.js";
import { findChromium, HeadlessPage } from "../support/headless-chromium.js";

const chromium = findChromium();
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

afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));

/** A rectangle in document coordinates (CSS pixels = screenshot pixels at scale 1). */
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where the page laid out what the checks look at, read from the DOM after load. */
interface Layout {
  document: { width: number; height: number };
  sections: { heading: string; box: Box; headingBox: Box }[];
  charts: { label: string; box: Box; bars: number; marks: number }[];
  directPushRow?: Box;
  severityHigh?: Box;
  table: Box;
  /** The first row's time and header cells as text: the line-break hints (`<wbr>`) add no character. */
  firstTime: string;
  headers: string[];
}

const LAYOUT = `(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height }; };
  const sections = [...document.querySelectorAll("h2")].map((h) => ({ heading: h.textContent, box: box(h.closest("section")), headingBox: box(h) }));
  const charts = [...document.querySelectorAll("svg[role=img]")].map((svg) => ({ label: svg.getAttribute("aria-label"), box: box(svg),
    bars: [...svg.querySelectorAll("rect")].filter((r) => r.getAttribute("fill") === "#0969da" && Number(r.getAttribute("height")) >= 2).length,
    marks: [...svg.querySelectorAll("rect")].filter((r) => r.getAttribute("fill") === "#cf222e" && Number(r.getAttribute("height")) >= 2).length }));
  const row = document.querySelector("tr.k-direct-push");
  const high = document.querySelector(".sev-high");
  return { document: { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight }, sections, charts,
    directPushRow: row ? box(row) : undefined, severityHigh: high ? box(high) : undefined, table: box(document.querySelector("table")),
    firstTime: document.querySelector("tbody td").textContent, headers: [...document.querySelectorAll("th")].map((th) => th.textContent) };
})()`;

/** Pixels of `box` (clamped to the image) for which `test(r, g, b)` holds. */
function count(png: PNG, box: Box, test: (r: number, g: number, b: number) => boolean): { hits: number; total: number } {
  let hits = 0;
  let total = 0;
  const x1 = Math.min(png.width, Math.floor(box.x + box.width));
  const y1 = Math.min(png.height, Math.floor(box.y + box.height));
  for (let y = Math.max(0, Math.ceil(box.y)); y < y1; y++) {
    for (let x = Math.max(0, Math.ceil(box.x)); x < x1; x++) {
      const i = (y * png.width + x) * 4;
      total++;
      if (test(png.data[i]!, png.data[i + 1]!, png.data[i + 2]!)) hits++;
    }
  }
  return { hits, total };
}

/** Within `tolerance` of the colour `#rrggbb` on every channel (anti-aliasing and colour management). */
const near = (hex: string, tolerance = 24) => {
  const [r0, g0, b0] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  return (r: number, g: number, b: number) => Math.abs(r - r0) <= tolerance && Math.abs(g - g0) <= tolerance && Math.abs(b - b0) <= tolerance;
};
const dark = (r: number, g: number, b: number) => r < 110 && g < 110 && b < 110;

it.skipIf(!chromium)(chromium ? "renders a self-contained HTML report that Chromium loads, and its full-page screenshot shows every section" : "renders the HTML report in Chromium (skipped: chromium not installed)", async () => {
  const { history, result } = await auditRepository({ repo: join(dir, "repo") });
  const html = renderAudit("html", result, history, {});
  expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  const file = join(dir, "audit.html");
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;

  const page = await HeadlessPage.open(chromium, join(dir, "profile"), { width: 1280, height: 900 });
  let layout: Layout;
  let shot: Buffer;
  let printed: { body: number; table: number };
  let pdf: Buffer;
  try {
    await page.goto(url);
    layout = await page.evaluate<Layout>(LAYOUT);
    shot = await page.screenshot();
    // Self-contained: the page fetched nothing but itself (no font, image, style sheet or script).
    expect(page.requests).toEqual([url]);
    // Printed (A4 landscape, 10 mm margins: 277 mm = 1047 CSS px of width), the table fits the page.
    await page.send("Emulation.setEmulatedMedia", { media: "print" });
    await page.send("Emulation.setDeviceMetricsOverride", { width: 1047, height: 700, deviceScaleFactor: 1, mobile: false });
    printed = await page.evaluate<{ body: number; table: number }>(`({ body: document.body.getBoundingClientRect().right, table: document.querySelector("table").getBoundingClientRect().right })`);
    pdf = Buffer.from(String((await page.send("Page.printToPDF", { preferCSSPageSize: true })).data), "base64");
  } finally {
    await page.close();
  }
  // Kept outside the removed temp dir so a person can look at it after the run.
  const kept = join(tmpdir(), "stagegate-audit-report.png");
  writeFileSync(kept, shot);
  console.log(`audit HTML screenshot: ${kept} (${layout.document.width}×${layout.document.height})`);

  const pdfKept = join(tmpdir(), "stagegate-audit-report.pdf");
  writeFileSync(pdfKept, pdf);
  console.log(`audit HTML printed: ${pdfKept}`);
  expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  // Every page A4 landscape (842 × 595 pt).
  const boxes = [...pdf.toString("latin1").matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Math.round(Number(m[1])), Math.round(Number(m[2]))]);
  expect(boxes.length).toBeGreaterThan(1);
  for (const box of boxes) expect(box).toEqual([842, 595]);
  expect(printed.table).toBeLessThanOrEqual(printed.body + 1);

  const png = PNG.sync.read(shot);
  // The whole document, the table's last column and the findings below it included.
  expect({ width: png.width, height: png.height }).toEqual(layout.document);
  expect(Math.floor(layout.table.x + layout.table.width)).toBeLessThanOrEqual(png.width);
  expect(layout.sections.map((s) => s.heading)).toEqual(["DORA weekly series", "Changes", "Findings"]);
  for (const [i, section] of layout.sections.entries()) {
    expect(section.box.y + section.box.height, section.heading).toBeLessThanOrEqual(png.height);
    if (i > 0) expect(section.box.y, section.heading).toBeGreaterThan(layout.sections[i - 1]!.box.y);
    // The heading's text is drawn (dark glyphs), and the section has content under it.
    expect(count(png, section.headingBox, dark).hits, section.heading).toBeGreaterThan(40);
    const body = { ...section.box, y: section.headingBox.y + section.headingBox.height, height: section.box.height - section.headingBox.height };
    expect(count(png, body, (r, g, b) => r < 200 || g < 200 || b < 200).hits, section.heading).toBeGreaterThan(100);
  }

  expect(layout.charts.map((c) => c.label)).toEqual(["Deployments per week", "Median lead time (hours)", "Change failure rate (%)"]);
  for (const chart of layout.charts) {
    expect(chart.bars, chart.label).toBeGreaterThan(0);
    // Each bar at least ~2 px high and ~20 px wide shows in the chart's box in its blue.
    expect(count(png, chart.box, near("#0969da")).hits, chart.label).toBeGreaterThan(chart.bars * 40);
    // Failed deployments are drawn in red inside the deployments chart, and nowhere else.
    const red = count(png, chart.box, near("#cf222e")).hits;
    if (chart.marks > 0) expect(red, chart.label).toBeGreaterThan(chart.marks * 40);
    else expect(red, chart.label).toBe(0);
  }
  expect(layout.charts[0]!.marks).toBeGreaterThan(0);

  // The direct push is a highlighted row of the table, and a high-severity finding in red.
  expect(layout.firstTime).toBe("2024-04-01T00:00:00+00:00");
  expect(layout.headers).toContain("separation_of_duties");
  expect(layout.directPushRow).toBeDefined();
  const row = count(png, layout.directPushRow!, near("#fff8c5", 6));
  expect(row.hits / row.total).toBeGreaterThan(0.5);
  expect(layout.severityHigh).toBeDefined();
  expect(count(png, layout.severityHigh!, near("#cf222e", 60)).hits).toBeGreaterThan(10);
  expect(html).toContain("direct push to the default branch");
}, 120_000);
