import type { Command } from "commander";
import { runLocalCommand } from "../../adapters/git/local-lifecycle.js";
import { getEntryEnvironments, getService } from "../../core/config/index.js";
import { NotFoundError, TerminalError } from "../../core/errors.js";
import { loadSnapshotConfig } from "../../services/lifecycle-deps.js";
import { promote } from "../../services/promote.js";

interface Options {
  repo: string;
  now?: string;
  service: string;
  digest: string;
  tag?: string;
  to?: string;
  as?: string;
  source?: string;
  scanUrl?: string;
}

/** `stagegate promote --repo DIR --service S --digest D [--tag T] [--to ENV] [--as USER] [--source owner/repo@sha] [--scan-url URL]` (local mode). */
export function register(program: Command): void {
  program
    .command("promote")
    .description("Local mode: open a promotion PR (kept in refs/stagegate/pulls) for an artifact")
    .requiredOption("--service <name>", "service to promote")
    .requiredOption("--digest <digest>", "image digest (sha256:…)")
    .option("--tag <tag>", "human-readable tag kept next to the digest")
    .option("--to <env>", "environment (default: the pipeline's entry environment)")
    .option("--as <user>", "who asks (separation of duties: their approval will not count)")
    .option("--source <repo@sha>", "source commit of the artifact, e.g. acme/checkout@<40 hex>")
    .option("--scan-url <url>", "SARIF or Trivy JSON report of the image (the vulnerabilities gate reads it)")
    .option("--repo <dir>", "local environments repository", ".")
    .option("--now <iso>", "simulated current time (or STAGEGATE_NOW)")
    .action(async (options: Options) => {
      process.exitCode = await runLocalCommand(options, async ({ deps }) => {
        const snapshot = await deps.repo.readSnapshot();
        const loaded = loadSnapshotConfig(snapshot);
        const service = getService(loaded, options.service);
        if (!service) throw new NotFoundError(`unknown service "${options.service}" (known: ${loaded.config.services.map((s) => s.name).join(", ")})`);
        const entries = getEntryEnvironments(loaded).map((e) => e.name);
        const environment = options.to ?? (entries.length === 1 ? entries[0]! : undefined);
        if (!environment) throw new TerminalError(`several entry environments (${entries.join(", ")}): choose one with --to`);
        const source = options.source ? /^([^@\s]+)@([a-f0-9]{40})$/.exec(options.source) : undefined;
        if (options.source && !source) throw new TerminalError(`--source must be owner/repo@<40-hex sha>`);
        const outcome = await promote(
          { repo: deps.repo, ...(deps.seal ? { seal: deps.seal } : {}) },
          {
            artifact: { service: service.name, image: service.image, digest: options.digest, ...(options.tag ? { tag: options.tag } : {}), ...(source ? { source: { repo: source[1]!, sha: source[2]! } } : {}), ...(options.scanUrl ? { scanUrl: options.scanUrl } : {}) },
            environment,
            ...(options.as ? { requestedBy: options.as } : {}),
          },
          { snapshot, loaded },
        );
        if (!outcome.pr) return [`${outcome.status}: ${outcome.plan.message ?? "nothing to do"}`];
        const lines = [`${outcome.status === "opened" ? "opened" : outcome.status} PR #${outcome.pr.number}: ${outcome.pr.title}`, `  branch ${outcome.pr.branch}`];
        for (const n of outcome.superseded) lines.push(`  closed #${n} (superseded)`);
        lines.push("  next: stagegate tick (evaluates gates; merges when the policy says merge: auto)");
        return lines;
      });
    });
}
