/**
 * The repository ruleset that makes `stagegate` required on the default branch, pinned to the app's
 * integration id: no workflow, status or other app can satisfy it. Created or repaired with
 * `administration: write`; without it (403), an issue in the repository carries the exact ruleset and
 * the `gh api` command an admin runs (found again by its title, never opened twice).
 */
import { PermissionError } from "../../core/errors.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { formatRepoRef } from "./client.js";
import { callGitHub } from "./errors.js";

export const RULESET_NAME = "Stagegate: require the stagegate check";
export const SETUP_ISSUE_TITLE = "Stagegate setup: require the stagegate check";
export const SETUP_LABEL = "stagegate-setup";

/** The ruleset body for `POST /repos/{owner}/{repo}/rulesets`. */
export function buildRuleset(appId: number) {
  return {
    name: RULESET_NAME,
    target: "branch" as const,
    enforcement: "active" as const,
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] as string[] } },
    rules: [
      {
        type: "required_status_checks" as const,
        parameters: { strict_required_status_checks_policy: false, required_status_checks: [{ context: "stagegate", integration_id: appId }] },
      },
    ],
  };
}

/** The setup issue's body: why, the ruleset JSON and the command that applies it. */
export function buildSetupIssueBody(repo: RepoRef, appId: number): string {
  const json = JSON.stringify(buildRuleset(appId), null, 2);
  return [
    "Stagegate reports every gate as a check run and sums them up in one check named `stagegate`. Until the default branch requires that check, a pull request can be merged with failing gates.",
    "",
    "The app was not allowed to create the ruleset itself (it has no `administration: write` permission on this repository). A repository admin can apply it:",
    "",
    "```json",
    json,
    "```",
    "",
    "```sh",
    `gh api --method POST repos/${formatRepoRef(repo)}/rulesets --input - <<'EOF'`,
    json,
    "EOF",
    "```",
    "",
    `or run \`stagegate setup --repo ${formatRepoRef(repo)} --app-id ${appId}\` with an admin token. The check is pinned to the app (integration id ${appId}), so no workflow or other app can satisfy it, and new gates never require touching this rule. Close this issue once applied.`,
  ].join("\n");
}

export type RulesetOutcome = { status: "created" | "updated"; rulesetId: number } | { status: "issue-opened" | "issue-exists"; issue: number };

/** Creates or repairs the ruleset; on 403 opens (once) the setup issue. */
export async function ensureRuleset(client: GitHubClient, repo: RepoRef, appId: number): Promise<RulesetOutcome> {
  const context = { operation: "ensureRuleset", repo: formatRepoRef(repo) };
  const ruleset = buildRuleset(appId);
  try {
    const { data } = await callGitHub(context, () => client.request("GET /repos/{owner}/{repo}/rulesets", { ...repo, per_page: 100 }));
    const existing = data.find((r) => r.name === RULESET_NAME);
    if (existing) {
      await callGitHub(context, () => client.request("PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}", { ...repo, ruleset_id: existing.id, ...ruleset }));
      return { status: "updated", rulesetId: existing.id };
    }
    const created = await callGitHub(context, () => client.request("POST /repos/{owner}/{repo}/rulesets", { ...repo, ...ruleset }));
    return { status: "created", rulesetId: created.data.id };
  } catch (error) {
    if (!(error instanceof PermissionError)) throw error;
    return openSetupIssue(client, repo, appId);
  }
}

async function openSetupIssue(client: GitHubClient, repo: RepoRef, appId: number): Promise<RulesetOutcome> {
  const context = { operation: "openSetupIssue", repo: formatRepoRef(repo) };
  const { data: open } = await callGitHub(context, () => client.request("GET /repos/{owner}/{repo}/issues", { ...repo, state: "open", labels: SETUP_LABEL, per_page: 100 }));
  const existing = open.find((i) => i.title === SETUP_ISSUE_TITLE);
  if (existing) return { status: "issue-exists", issue: existing.number };
  const { data } = await callGitHub(context, () => client.request("POST /repos/{owner}/{repo}/issues", { ...repo, title: SETUP_ISSUE_TITLE, body: buildSetupIssueBody(repo, appId), labels: [SETUP_LABEL] }));
  return { status: "issue-opened", issue: data.number };
}
