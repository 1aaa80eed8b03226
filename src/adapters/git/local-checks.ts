import type { CheckReport, ChecksPort } from "../../core/ports/checks.js";
import { LOCAL_BOT } from "./local-pulls.js";
import type { MetaStore } from "./meta-store.js";

export const CHECKS_PREFIX = "refs/stagegate/checks/";

/** Check runs of a commit at `refs/stagegate/checks/<sha>` (checks.json); each change is a commit, so the ref's log is the check history. */
export class LocalChecks implements ChecksPort {
  constructor(private readonly meta: MetaStore) {}

  async listChecks(headSha: string): Promise<CheckReport[]> {
    const state = await this.meta.read(`${CHECKS_PREFIX}${headSha}`, ["checks.json"]);
    return (state?.files["checks.json"] ?? []) as CheckReport[];
  }

  async writeChecks(headSha: string, checks: CheckReport[]): Promise<void> {
    if (checks.length === 0) return;
    const summary = checks.map((c) => `${c.name}: ${c.conclusion ?? c.status}`).join(", ");
    await this.meta.update(`${CHECKS_PREFIX}${headSha}`, ["checks.json"], `checks on ${headSha.slice(0, 12)}: ${summary}`, LOCAL_BOT, (current) => {
      const byName = new Map(((current?.["checks.json"] ?? []) as CheckReport[]).map((c) => [c.name, c]));
      for (const check of checks) byName.set(check.name, check);
      return { "checks.json": [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)) };
    });
  }
}
