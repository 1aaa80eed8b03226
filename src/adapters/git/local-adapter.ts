import { mkdir } from "node:fs/promises";
import type { Clock } from "../../core/ports/clock.js";
import type { PromotionPullRequest, EnvironmentsRepoPort } from "../../core/ports/environments-repo.js";
import type { PromotionPlan } from "../../core/plan-types.js";
import type { RepoSnapshot } from "../../core/snapshot.js";
import { GitCli } from "./git-cli.js";
import { LocalChecks } from "./local-checks.js";
import { LocalDeployments } from "./local-deployments.js";
import { LocalFacts } from "./local-facts.js";
import { LocalNotes } from "./local-notes.js";
import { LocalPulls } from "./local-pulls.js";
import { LocalRepository } from "./local-repository.js";
import { MetaStore } from "./meta-store.js";

/** EnvironmentsRepoPort over the local repository and its pull requests. */
class LocalEnvironmentsRepo implements EnvironmentsRepoPort {
  constructor(
    private readonly repository: LocalRepository,
    private readonly pulls: LocalPulls,
  ) {}

  readSnapshot(): Promise<RepoSnapshot> {
    return this.repository.readSnapshot();
  }

  async listOpenPromotions(): Promise<PromotionPullRequest[]> {
    return (await this.pulls.listOpen()).filter((pr) => pr.branch.startsWith("stagegate/"));
  }

  openPromotion(plan: PromotionPlan): Promise<{ pr: PromotionPullRequest; created: boolean }> {
    return this.pulls.open(plan);
  }

  closePromotion(number: number, comment: string): Promise<void> {
    return this.pulls.close(number, comment);
  }

  replaceBody(pr: PromotionPullRequest, body: string): Promise<void> {
    return this.pulls.replaceBody(pr.number, body);
  }

  comment(number: number, body: string): Promise<void> {
    return this.pulls.comment(number, body);
  }
}

/** Every port of local mode over one git repository, plus the local-only actions (reviews, facts). */
export interface LocalAdapter {
  dir: string;
  clock: Clock;
  git: GitCli;
  repo: EnvironmentsRepoPort;
  commits: LocalRepository;
  pulls: LocalPulls;
  checks: LocalChecks;
  deployments: LocalDeployments;
  notes: LocalNotes;
  source: LocalFacts;
}

/** Opens a local environments repository (it must exist and have a commit on its default branch). */
export function openLocalRepo(dir: string, options: { clock: Clock; branch?: string }): LocalAdapter {
  const git = new GitCli(dir);
  const meta = new MetaStore(git, options.clock);
  const commits = new LocalRepository(git, options.branch);
  const pulls = new LocalPulls(commits, meta);
  return {
    dir,
    clock: options.clock,
    git,
    repo: new LocalEnvironmentsRepo(commits, pulls),
    commits,
    pulls,
    checks: new LocalChecks(meta),
    deployments: new LocalDeployments(meta),
    notes: new LocalNotes(git, meta),
    source: new LocalFacts(meta),
  };
}

/**
 * Creates a repository at `dir` (created if needed) holding `files` in one initial commit on `branch`,
 * written as `author` at the clock's time.
 */
export async function initLocalRepo(dir: string, files: ReadonlyMap<string, string>, options: { clock: Clock; branch?: string; author?: string; message?: string }): Promise<LocalAdapter> {
  await mkdir(dir, { recursive: true });
  const git = new GitCli(dir);
  const branch = options.branch ?? "main";
  await git.run(["init", "--quiet", `--initial-branch=${branch}`]);
  const meta = new MetaStore(git, options.clock);
  const identity = meta.identity(options.author ?? "platform-team");
  const sorted = [...files].sort(([a], [b]) => a.localeCompare(b));
  const oids = await git.writeBlobs(sorted.map(([, content]) => content));
  const entries = sorted.map(([path], i) => `100644 ${oids[i]}\t${path}`);
  await git.run(["update-index", "--add", "--index-info"], { input: entries.join("\n") + "\n" });
  const tree = (await git.run(["write-tree"])).trim();
  const commit = (await git.run(["commit-tree", tree], { input: `${options.message ?? "Initial environments repository"}\n`, identity })).trim();
  await git.run(["update-ref", `refs/heads/${branch}`, commit], { identity });
  await git.run(["checkout", "--quiet", "--force", branch]);
  return openLocalRepo(dir, { clock: options.clock, branch });
}
