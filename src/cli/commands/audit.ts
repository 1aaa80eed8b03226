import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { readConfigAtBranch } from "../../adapters/git/config-at-ref.js";
import { fetchHistory, fetchNotes } from "../../adapters/git/fetch-history.js";
import { readHistory } from "../../adapters/git/history.js";
import { gitHubHost, gitHubRepoOfRemote } from "../../adapters/git/github-remote.js";
import { readNoteEdits } from "../../adapters/git/notes-history.js";
import { parseRepoRef, type GitHubClient, type RepoRef } from "../../adapters/github/client.js";
import { verifyOnGitHub } from "../../adapters/github/commit-signatures.js";
import { auditOf, type AuditOptions } from "../../core/audit/build-audit.js";
import { buildControlCatalog, groupByControl, type ControlReport } from "../../core/audit/controls.js";
import { renderControlsCsv, renderControlsHtml, renderControlsJson, renderControlsMarkdown } from "../../core/audit/controls-render.js";
import { computeDora, productionEnvironments, type DoraReport } from "../../core/audit/dora.js";
import { renderHtml } from "../../core/audit/render-html.js";
import { renderCsv, renderJson, renderMarkdown } from "../../core/audit/render-text.js";
import type { AuditResult, HistoryInput, SignatureSource } from "../../core/audit/types.js";
import { visibleControls } from "../../core/visible-text.js";
import { findImageReferences } from "../../editors/index.js";
import type { CliEnv } from "../github-auth.js";

/**
 * `stagegate audit --repo DIR [--env E] [--service S] [--since DATE] [--until DATE]
 * [--format md|json|csv|html] [--out FILE] [--verify [git|github]] [--github-repo O/N] [--fetch] [--notes-history]`: every change of what runs in each
 * environment, read from a clone's history and refs/notes/stagegate, with findings.
 * Exit 0 on success (findings are in the report), 1 on errors, 2 on usage errors.
 */

export type AuditFormat = "md" | "json" | "csv" | "html";

export interface AuditCommandOptions {
  repo: string;
  env?: string;
  service?: string;
  since?: string;
  until?: string;
  format?: string;
  out?: string;
  /** `--verify` (git: `%G?` on the clone) or `--verify github` (GitHub's verification through its API). */
  verify?: boolean | string;
  /** The repository on GitHub for `--verify github` (default: origin's). */
  githubRepo?: string;
  fetch?: boolean;
  branch?: string;
  /** Check the notes ref's own history for notes edited after the fact. */
  notesHistory?: boolean;
  /** Group the evidence by compliance control (docs/compliance.md). */
  byControl?: boolean;
}

const FORMATS = new Set<AuditFormat>(["md", "json", "csv", "html"]);

/** Parses a CLI date (`2024-05-01`, full ISO 8601); throws a usage message when invalid. */
export function parseCliDate(value: string, flag: string): Date {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw new UsageError(`${flag}: "${value}" is not a date (use YYYY-MM-DD or ISO 8601)`);
  return new Date(ms);
}

/** A bad flag value: exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Who checks signatures for `--verify [source]`: undefined without the flag. */
export function verifySource(verify: AuditCommandOptions["verify"]): SignatureSource | undefined {
  if (verify === undefined || verify === false) return undefined;
  if (verify === true || verify === "git") return "git";
  if (verify === "github") return "github";
  throw new UsageError(`--verify takes git or github (got "${verify}")`);
}

/** What `--verify github` talks to: the environment's credentials, or a client (tests). */
export interface AuditGitHub {
  env?: CliEnv;
  client?: GitHubClient;
}

/** The repository and client of `--verify github`, resolved before any history is read (a usage error otherwise). */
async function gitHubVerifier(dir: string, options: AuditCommandOptions, github: AuditGitHub): Promise<{ repo: RepoRef; client: GitHubClient }> {
  const env = github.env ?? process.env;
  let repo: RepoRef | undefined;
  if (options.githubRepo !== undefined) {
    repo = parseRepoRef(options.githubRepo);
    if (!repo) throw new UsageError(`--github-repo must be OWNER/NAME (got "${options.githubRepo}")`);
  } else {
    try {
      repo = await gitHubRepoOfRemote(dir, gitHubHost(env));
    } catch (error) {
      throw new UsageError(`--verify github: ${(error as Error).message}`);
    }
  }
  if (github.client) return { repo, client: github.client };
  try {
    // Loaded only here: Octokit is no part of an audit that does not ask GitHub.
    const { gitHubClient } = await import("../github-auth.js");
    return { repo, client: await gitHubClient(env, repo) };
  } catch (error) {
    throw new UsageError(`--verify github: ${(error as Error).message}`);
  }
}

/** Reads the clone and builds the audit (in-process entry used by the CLI and the benchmark). */
export async function auditRepository(options: AuditCommandOptions, warn: (line: string) => void = () => undefined, github: AuditGitHub = {}): Promise<{ history: HistoryInput; result: AuditResult }> {
  const dir = resolve(options.repo);
  const signatures = verifySource(options.verify);
  const verifier = signatures === "github" ? await gitHubVerifier(dir, options, github) : undefined;
  // One fetch after the other: two at once would contend for the clone's lock files.
  const unshallowed = options.fetch ? await fetchHistory(dir) : undefined;
  if (unshallowed) warn(unshallowed);
  const fetched = options.fetch ? await fetchNotes(dir) : undefined;
  if (fetched?.warning) warn(fetched.warning);
  const notesWarnings: string[] = [];
  const [history, noteEdits] = await Promise.all([
    readHistory(dir, { branch: options.branch, verify: signatures === "git", extract: findImageReferences }),
    options.notesHistory ? readNoteEdits(dir, undefined, (line) => notesWarnings.push(line)) : undefined,
  ]);
  history.warnings.push(...notesWarnings);
  if (verifier) {
    history.warnings.push(...(await verifyOnGitHub(history.records, verifier.client, verifier.repo)));
    history.signaturesRead = true;
    history.signatureSource = "github";
    // The replay's rows hold the signatures git read: the walk is made again with GitHub's.
    delete history.audit;
  }
  const auditOptions: AuditOptions = {
    branch: history.branch,
    tip: history.tip,
    ref: history.ref,
    notes: history.notes,
    reflog: history.reflog,
    notesDivergence: fetched?.diverged,
    noteEdits,
    signaturesRead: history.signaturesRead,
    signatureSource: history.signatureSource,
    environment: options.env,
    service: options.service,
    since: options.since ? parseCliDate(options.since, "--since") : undefined,
    until: options.until ? parseCliDate(options.until, "--until") : undefined,
    warnings: history.warnings,
  };
  return { history, result: auditOf(history, auditOptions) };
}

/**
 * The DORA figures the HTML report charts: the production-like environments (or `env`) over the whole
 * audited span, at least a week, ending just after the newest row unless `now` is given.
 */
export function reportDora(result: AuditResult, history: HistoryInput, options: { env?: string; service?: string; now?: Date }): DoraReport {
  // A loop, not Math.max(...times): spreading 100,000+ rows overflows the call stack.
  let last = -Infinity;
  let first = Infinity;
  for (const row of result.rows) {
    const time = Date.parse(row.time);
    if (time > last) last = time;
    if (time < first) first = time;
  }
  const now = options.now ?? new Date(Number.isFinite(last) ? last + 1 : Date.now());
  if (!Number.isFinite(first)) first = now.getTime();
  const environments = options.env ? [options.env] : productionEnvironments(history.environments);
  // The window is (now − window, now]: one millisecond more than now − first keeps the oldest row in it.
  return computeDora(result.rows, { window: Math.max(7 * 86_400_000, now.getTime() - first + 1), now, environments, service: options.service });
}

/** Renders an audit in a format; html also charts the weekly DORA series of the production-like environments. */
export function renderAudit(format: AuditFormat, result: AuditResult, history: HistoryInput, options: { env?: string; service?: string; now?: Date }, controls?: ControlReport): string {
  if (controls && format !== "html") return format === "json" ? renderControlsJson(controls) : format === "csv" ? renderControlsCsv(controls) : renderControlsMarkdown(controls);
  switch (format) {
    case "json":
      return renderJson(result);
    case "csv":
      return renderCsv(result);
    case "html": {
      const dora = reportDora(result, history, options);
      return renderHtml(result, dora, undefined, controls ? [renderControlsHtml(controls)] : []);
    }
    default:
      return renderMarkdown(result);
  }
}

/** The command's body; returns the exit code. */
export async function runAudit(options: AuditCommandOptions, out: (text: string) => void, err: (line: string) => void, github: AuditGitHub = {}): Promise<number> {
  const format = (options.format ?? "md") as AuditFormat;
  if (!FORMATS.has(format)) throw new UsageError(`--format must be one of md, json, csv, html (got "${options.format}")`);
  const { history, result } = await auditRepository(options, err, github);
  for (const warning of history.warnings) err(`warning: ${visibleControls(warning)}`);
  const controls = options.byControl ? groupByControl(result, buildControlCatalog(await readConfigAtBranch(resolve(options.repo), history.branch))) : undefined;
  const text = renderAudit(format, result, history, options, controls);
  if (options.out) {
    await writeFile(options.out, text);
    err(`wrote ${result.rows.length} changes and ${result.findings.length} findings to ${options.out}`);
  } else out(text);
  return 0;
}

export function register(program: Command): void {
  program
    .command("audit")
    .description("Every change of what runs in each environment, from git history and refs/notes/stagegate, with findings")
    .option("--repo <dir>", "clone of the environments repository", ".")
    .option("--env <name>", "only this environment")
    .option("--service <name>", "only this service")
    .option("--since <date>", "only changes landed at or after this date (YYYY-MM-DD or ISO 8601)")
    .option("--until <date>", "only changes landed before this date")
    .option("--format <format>", "md, json, csv or html", "md")
    .option("--out <file>", "write the report to a file instead of stdout")
    .option("--verify [source]", "check that every promotion commit is signed: git (the clone's %G?, the default) or github (GitHub's Verified badge; GITHUB_TOKEN)")
    .option("--github-repo <owner/name>", "the repository on GitHub for --verify github (default: origin's)")
    .option("--fetch", "fetch refs/notes/stagegate from origin first (fast-forward only), and the full history when the clone is shallow")
    .option("--notes-history", "also read refs/notes/stagegate's own history: a note changed other than by appending, or removed, is a finding")
    .option("--branch <name>", "branch to audit (default: the repository's default branch)")
    .option("--by-control", "group the evidence by compliance control (the policies' controls and the gates' controls:)")
    .exitOverride((error) => {
      process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
    })
    .action(async (options: AuditCommandOptions) => {
      try {
        process.exitCode = await runAudit(options, (s) => process.stdout.write(s), (s) => process.stderr.write(`${s}\n`));
      } catch (error) {
        process.stderr.write(`stagegate audit: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
      }
    });
}
