/**
 * Who may run `/stagegate promote` into an environment: the `promoters` of its policy, users by login or
 * members of `org/team` (checked with GitHub's team membership API, so the app needs members: read).
 */
import type { GitHubClient } from "../adapters/github/client.js";
import { isTeamMember } from "../adapters/github/feedback.js";
import type { Environment } from "../core/config/config-schema.js";
import type { Policy } from "../core/config/policy-schema.js";
import { PermissionError } from "../core/errors.js";

/** Throws PermissionError unless `login` is a promoter of `env`'s policy. An empty list allows nobody. */
export async function assertPromoter(client: GitHubClient, login: string, env: Environment, policy: Policy, policyName: string): Promise<void> {
  const principals = policy.promoters.map((p) => p.replace(/^@/, ""));
  if (principals.length === 0) {
    throw new PermissionError(`policy "${policyName}" of environment ${env.name} lists no \`promoters\`, so nobody may run /stagegate promote into it; add users or org/team slugs to \`promoters:\``, { environment: env.name });
  }
  if (principals.some((p) => !p.includes("/") && p.toLowerCase() === login.toLowerCase())) return;
  for (const team of principals.filter((p) => p.includes("/"))) {
    const [org, slug] = team.split("/") as [string, string];
    if (await isTeamMember(client, org, slug, login)) return;
  }
  throw new PermissionError(`@${login} may not promote into ${env.name}: only ${principals.map((p) => `@${p}`).join(", ")} may (policy "${policyName}" \`promoters\`)`, { environment: env.name, login });
}
