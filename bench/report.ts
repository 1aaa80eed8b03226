/**
 * The benchmark report: one row per figure with our value, the target from the issues, pass/fail and
 * what the peers need for the same job. Pure: section results in, Markdown out.
 */

/** What one section produced: its JSON result, or the error that stopped it. */
export type SectionOutcome = { name: string; ok: true; ms: number; result: Record<string, unknown> } | { name: string; ok: false; ms: number; error: string };

export interface Row {
  section: string;
  figure: string;
  ours: string;
  target: string;
  pass: boolean | undefined;
  peers: string;
}

const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);

/** Rows of one section (a failed section gives one failing row naming the error). */
export function rowsOf(outcome: SectionOutcome): Row[] {
  if (!outcome.ok) return [{ section: outcome.name, figure: "section failed", ours: outcome.error.split("\n")[0]!.slice(0, 160), target: "runs", pass: false, peers: "" }];
  const r = outcome.result;
  switch (outcome.name) {
    case "editors":
      return [{ section: "editors", figure: "image references edited per second", ours: `${Math.round(num(r["refsPerSecond"])).toLocaleString("en")} refs/s (${Math.round(num(r["filesPerSecond"])).toLocaleString("en")} files/s)`, target: "—", pass: undefined, peers: "—" }];
    case "github": {
      const per = r["requestsPerPromotion"] as { min: number; max: number } | undefined;
      return [
        {
          section: "github",
          figure: "GitHub requests per promotion (1–20 files × 0–8 gates)",
          ours: per ? (per.min === per.max ? `${per.max}` : `${per.min}–${per.max}`) : "?",
          target: "≤ 3, independent of files and gates",
          pass: per !== undefined && per.max <= 3 && r["independentOfFilesAndGates"] === true,
          peers: "Telefonistka ~10 fixed + ≥ 3 per directory; Kargo 4 + N REST calls after a clone; plain REST design 4 + 2 per gate",
        },
      ];
    }
    case "gates": {
      const unchanged = (r["scenarios"] as { name: string; reads: number; writes: number }[] | undefined)?.find((s) => s.name === "nothing changed");
      return [{ section: "gates", figure: "gate evaluation when nothing changed", ours: unchanged ? `${unchanged.reads} read, ${unchanged.writes} writes` : "?", target: "1 read, 0 writes", pass: r["unchangedMeetsTarget"] === true, peers: "plain REST design: 1 + 2 per gate reads" }];
    }
    case "audit": {
      const rows: Row[] = [{ section: "audit", figure: `audit of ${num(r["promotions"]).toLocaleString("en")} promotions vs git log`, ours: `${num(r["ratio"])}× (${num(r["auditMs"])} ms vs ${num(r["gitLogMs"])} ms, best of ${r["rounds"] === undefined ? 5 : num(r["rounds"])}${r["ratioMedian"] === undefined ? "" : `; medians ${num(r["ratioMedian"])}×`}${r["ratioPaired"] === undefined ? "" : `; paired ${num(r["ratioPaired"])}×`}${Array.isArray(r["loadAverage"]) ? `; load average ${(r["loadAverage"] as number[]).join(" → ")}` : ""}${r["heapMb"] === undefined ? "" : `; heap kept ${num(r["heapMb"])} MB`})`, target: "within 3× of git log", pass: r["withinTarget"] === true, peers: "git log itself (1×)" }];
      const cpu = r["cpu"] as Record<string, unknown> | undefined;
      if (cpu) rows.push({ section: "audit", figure: `CPU of one audit (Node + its git processes) over ${num(cpu["cores"])} cores: the fastest any schedule could finish`, ours: `${num(cpu["nodeMs"])} + ${num(cpu["gitMs"])} ms → floor ${num(cpu["floorMs"])} ms = ${num(cpu["floorRatio"])}× git log`, target: "—", pass: undefined, peers: `git log: ${num(cpu["gitLogMs"])} ms CPU` });
      if (r["auditLogMs"] !== undefined) rows.push({ section: "audit", figure: "the audit's own `git log` alone (first parents, notes, raw diffs) vs plain git log", ours: `${num(r["ratioAuditLog"])}× (${num(r["auditLogMs"])} ms)`, target: "—", pass: undefined, peers: "git log itself (1×)" });
      if (r["cliMs"] !== undefined) rows.push({ section: "audit", figure: "`stagegate audit` as a new process (start-up included), from the build and through tsx", ours: `${num(r["ratioCli"])}× (${num(r["cliMs"])} ms); sources ${num(r["ratioCliSources"])}× (${num(r["cliSourcesMs"])} ms)`, target: "—", pass: undefined, peers: "git log itself (1×)" });
      return rows;
    }
    case "load":
      return [
        { section: "load", figure: `ignored webhooks (signature + routing), ${num(r["concurrency"])} in flight`, ours: `${num(r["eventsPerSecond"])} events/s, p50 ${num(r["p50Ms"])} ms, p99 ${num(r["p99Ms"])} ms, ${num(r["non2xx"])} errors`, target: "no errors", pass: num(r["non2xx"]) === 0, peers: "—" },
        { section: "load", figure: `RSS across ${num(r["events"]).toLocaleString("en")} events (default heap: V8 collects lazily)`, ours: `${num(r["rssBeforeMiB"])} → ${num(r["rssAfterMiB"])} MiB (Δ ${num(r["rssDeltaMiB"])} MiB); heap used ${num(r["heapBeforeMiB"])} → ${num(r["heapAfterMiB"])} MiB`, target: "—", pass: undefined, peers: "—" },
        ...retainedRows(r["retained"] as Record<string, unknown> | undefined),
      ];
    case "faults": {
      const lines = (r["lines"] as string[] | undefined) ?? [];
      return lines.map((line) => {
        const m = /fault matrix: (\d+) cases tried, (\d+) passed \(([^:]+)/.exec(line);
        const gap = /missing after repair in (\d+)/.exec(line);
        const tried = Number(m?.[1]);
        const passed = Number(m?.[2]);
        return { section: "faults", figure: `fault matrix: ${m?.[3] ?? "?"}`, ours: `${passed}/${tried} cases end as fault-free${gap ? ` (${gap[1]} lose only an evidence note: known gap)` : ""}`, target: "all cases", pass: tried > 0 && passed === tried, peers: "—" };
      });
    }
    case "fuzz":
      return [{ section: "fuzz", figure: "hostile inputs to every parser (+ SSRF table, ReDoS)", ours: String(r["summary"] ?? ""), target: "no crash, < 2 s per input", pass: r["passed"] === true, peers: "—" }];
    default:
      return [{ section: outcome.name, figure: "result", ours: JSON.stringify(r).slice(0, 160), target: "—", pass: undefined, peers: "—" }];
  }
}

/** Memory retained across the same load with `--max-old-space-size=64` (garbage collected eagerly). */
function retainedRows(r: Record<string, unknown> | undefined): Row[] {
  if (!r) return [];
  return [
    {
      section: "load",
      figure: `memory retained across ${num(r["events"]).toLocaleString("en")} events (server with --max-old-space-size=64)`,
      ours: `RSS ${num(r["rssBeforeMiB"])} → ${num(r["rssAfterMiB"])} MiB (Δ ${num(r["rssDeltaMiB"])} MiB); heap used ${num(r["heapBeforeMiB"])} → ${num(r["heapAfterMiB"])} MiB; ${num(r["non2xx"])} errors`,
      target: "flat (RSS Δ < 10 MiB), no errors",
      pass: num(r["rssDeltaMiB"]) < 10 && num(r["non2xx"]) === 0,
      peers: "—",
    },
  ];
}

/** The Markdown report. */
export function renderReport(outcomes: readonly SectionOutcome[], meta: { date: string; node: string; host: string }): string {
  const rows = outcomes.flatMap(rowsOf);
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const verdict = (p: boolean | undefined) => (p === undefined ? "—" : p ? "✅ pass" : "❌ fail");
  return [
    "# Stagegate benchmark report",
    "",
    `Generated ${meta.date} on ${meta.host}, Node ${meta.node}, by \`npm run bench\` (see docs/benchmarks.md).`,
    "",
    "| section | figure | ours | target | result | peers |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.section} | ${cell(r.figure)} | ${cell(r.ours)} | ${cell(r.target)} | ${verdict(r.pass)} | ${cell(r.peers)} |`),
    "",
    `Sections: ${outcomes.map((o) => `${o.name} ${o.ok ? "ok" : "FAILED"} (${(o.ms / 1000).toFixed(1)} s)`).join(", ")}.`,
    "",
  ].join("\n");
}
