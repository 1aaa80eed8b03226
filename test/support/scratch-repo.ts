/**
 * A git repository written by hand for audit tests: files written, everything committed, each commit
 * dated one day after the last (so history order and time order agree), the system config ignored.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** A readable digest: `sha256:` and `n` padded to 64 digits. */
export const D = (n: number): string => `sha256:${String(n).padStart(64, "0")}`;

export class ScratchRepo {
  #tick = 0;

  /**
   * `dir` holds (or will hold) the repository; commits are dated `${month}-01`, `${month}-02`…
   * (`month` as `2024-06`).
   */
  constructor(
    readonly dir: string,
    private readonly month: string,
  ) {}

  /** A new repository on `main` in `dir`, with `user` as author and committer. */
  static create(dir: string, options: { month: string; user?: string; objectFormat?: "sha1" | "sha256" }): ScratchRepo {
    mkdirSync(dir, { recursive: true });
    const repo = new ScratchRepo(dir, options.month);
    repo.git(["init", "-q", "-b", "main", ...(options.objectFormat ? [`--object-format=${options.objectFormat}`] : [])]);
    const user = options.user ?? "Hand";
    repo.git(["config", "user.name", user]);
    repo.git(["config", "user.email", `${user.toLowerCase()}@example.com`]);
    return repo;
  }

  /** Runs git in the repository (stdin from `input`); its output. */
  git(args: string[], input?: string): string {
    return execFileSync("git", args, { cwd: this.dir, input, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).toString();
  }

  /** The environment of a git command that makes a commit: dated one day after the previous one. */
  nextDate(): NodeJS.ProcessEnv {
    this.#tick++;
    const date = `${this.month}-${String(this.#tick).padStart(2, "0")}T10:00:00Z`;
    return { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
  }

  /** Runs a git command that makes a commit (merge, commit-tree…) with the next date; its output. */
  dated(args: string[]): string {
    return execFileSync("git", args, { cwd: this.dir, env: this.nextDate() }).toString();
  }

  write(path: string, text: string): void {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    writeFileSync(join(this.dir, path), text);
  }

  /** Commits everything in the working tree; the new commit's id. */
  commit(message: string): string {
    this.git(["add", "-A"]);
    this.dated(["commit", "-q", "-m", message]);
    return this.head();
  }

  /** Merges `branch` into the checked-out branch with a merge commit; its id. */
  merge(branch: string, message: string): string {
    this.dated(["merge", "-q", "--no-ff", "-m", message, branch]);
    return this.head();
  }

  head(): string {
    return this.git(["rev-parse", "HEAD"]).trim();
  }
}
