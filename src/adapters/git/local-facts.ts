import type { CodeScanningResult, SourceCheck, SourcePort } from "../../core/ports/source.js";
import type { MetaStore } from "./meta-store.js";

export const FACTS_REF = "refs/stagegate/facts";
const FILES = ["teams.json", "source-checks.json"];

/**
 * Facts GitHub would know and a local repo does not: team membership and the source repository's
 * checks. Recorded at `refs/stagegate/facts` (teams.json, source-checks.json) by whoever runs local mode.
 */
export class LocalFacts implements SourcePort {
  constructor(private readonly meta: MetaStore) {}

  async listCommitChecks(repo: string, sha: string): Promise<SourceCheck[]> {
    const state = await this.meta.read(FACTS_REF, FILES);
    const all = (state?.files["source-checks.json"] ?? {}) as Record<string, SourceCheck[]>;
    return all[`${repo}@${sha}`] ?? [];
  }

  /** Local mode knows no accounts behind commit emails: only an author the artifact names counts (`promote --source-author`). */
  async sourceCommitAuthor(): Promise<string | undefined> {
    return undefined;
  }

  /** Code scanning is GitHub's: a local repository has no alerts to read (a scan report linked from the artifact still counts). */
  async listCodeScanningAlerts(): Promise<CodeScanningResult> {
    return { unavailable: "code scanning alerts are GitHub's; local mode reads none (link a SARIF or Trivy report from the artifact: scanUrl)" };
  }

  async listTeamMembers(team: string): Promise<string[]> {
    const state = await this.meta.read(FACTS_REF, FILES);
    const teams = (state?.files["teams.json"] ?? {}) as Record<string, string[]>;
    return teams[team.replace(/^@/, "").toLowerCase()] ?? [];
  }

  /** Records the members of a team `org/slug`. */
  async recordTeam(team: string, members: string[], actor: string): Promise<void> {
    const key = team.replace(/^@/, "").toLowerCase();
    await this.meta.update(FACTS_REF, FILES, `team ${key}: ${members.join(", ")}`, actor, (current) => ({
      "teams.json": { ...((current?.["teams.json"] ?? {}) as Record<string, string[]>), [key]: [...members].sort() },
      "source-checks.json": current?.["source-checks.json"] ?? {},
    }));
  }

  /** Records the checks of a source commit (what CI reported on it). */
  async recordSourceChecks(repo: string, sha: string, checks: SourceCheck[], actor: string): Promise<void> {
    await this.meta.update(FACTS_REF, FILES, `source checks ${repo}@${sha.slice(0, 12)}: ${checks.map((c) => `${c.name}=${c.conclusion ?? c.status}`).join(", ")}`, actor, (current) => ({
      "teams.json": current?.["teams.json"] ?? {},
      "source-checks.json": { ...((current?.["source-checks.json"] ?? {}) as Record<string, SourceCheck[]>), [`${repo}@${sha}`]: checks },
    }));
  }

  /** Records one check of a source commit, replacing an earlier one of the same name (what CI reports, one job at a time). */
  async recordSourceCheck(repo: string, sha: string, check: SourceCheck, actor: string): Promise<SourceCheck[]> {
    const key = `${repo}@${sha}`;
    const files = await this.meta.update(FACTS_REF, FILES, `source check ${repo}@${sha.slice(0, 12)}: ${check.name}=${check.conclusion ?? check.status}`, actor, (current) => {
      const all = (current?.["source-checks.json"] ?? {}) as Record<string, SourceCheck[]>;
      const checks = [...(all[key] ?? []).filter((c) => c.name !== check.name), check].sort((a, b) => a.name.localeCompare(b.name));
      return { "teams.json": current?.["teams.json"] ?? {}, "source-checks.json": { ...all, [key]: checks } };
    });
    return ((files?.["source-checks.json"] ?? {}) as Record<string, SourceCheck[]>)[key] ?? [];
  }

  /** Adds and removes members of a team `org/slug`; returns its members afterwards. */
  async changeTeam(team: string, change: { add?: string[]; remove?: string[] }, actor: string): Promise<string[]> {
    const key = team.replace(/^@/, "").toLowerCase();
    const what = [...(change.add ?? []).map((u) => `+${u}`), ...(change.remove ?? []).map((u) => `-${u}`)].join(" ");
    const files = await this.meta.update(FACTS_REF, FILES, `team ${key}: ${what}`, actor, (current) => {
      const teams = (current?.["teams.json"] ?? {}) as Record<string, string[]>;
      const members = new Set(teams[key] ?? []);
      for (const user of change.add ?? []) members.add(user);
      for (const user of change.remove ?? []) members.delete(user);
      const next = [...members].sort();
      const before = teams[key] ?? [];
      if (key in teams && next.length === before.length && next.every((u, i) => u === before[i])) return undefined;
      return { "teams.json": { ...teams, [key]: next }, "source-checks.json": current?.["source-checks.json"] ?? {} };
    });
    return ((files?.["teams.json"] ?? {}) as Record<string, string[]>)[key] ?? [];
  }
}
