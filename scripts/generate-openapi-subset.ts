/**
 * Writes test/support/github/openapi-subset.json: the operations of GitHub's REST OpenAPI description
 * (`@octokit/openapi`, api.github.com.json) that Stagegate calls, with every `$ref` they reach.
 * The full description is ~13 MB (the package ~385 MB), so it is not a dependency; regenerate with:
 *
 *   mkdir -p /tmp/oapi && npm i --prefix /tmp/oapi --no-save @octokit/openapi
 *   npx tsx scripts/generate-openapi-subset.ts /tmp/oapi/node_modules/@octokit/openapi/generated/api.github.com.json
 *
 * Add an operation to OPERATIONS when the app starts calling a new endpoint, then regenerate.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Every REST operation the app (and Probot on its behalf) sends, as `METHOD /path`. */
export const OPERATIONS = [
  "POST /app/installations/{installation_id}/access_tokens",
  "GET /repos/{owner}/{repo}/installation",
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
  "POST /repos/{owner}/{repo}/check-runs",
  "GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
  // Gates and the deployment lifecycle (src/adapters/github/{pull-requests,deployments,notes,commits,rulesets}.ts, tick).
  "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge",
  "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
  "PUT /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals",
  "GET /repos/{owner}/{repo}/deployments",
  "POST /repos/{owner}/{repo}/deployments",
  "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses",
  "POST /repos/{owner}/{repo}/git/trees",
  "POST /repos/{owner}/{repo}/git/commits",
  "POST /repos/{owner}/{repo}/git/refs",
  "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
  "GET /repos/{owner}/{repo}/compare/{basehead}",
  "GET /repos/{owner}/{repo}/rulesets",
  "POST /repos/{owner}/{repo}/rulesets",
  "PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}",
  "GET /repos/{owner}/{repo}/issues",
  "POST /repos/{owner}/{repo}/issues",
  "GET /installation/repositories",
  "GET /app/installations",
  "GET /app",
  // Provenance gate (src/adapters/sigstore/attestations-api.ts): GitHub artifact attestations of a digest.
  "GET /repos/{owner}/{repo}/attestations/{subject_digest}",
  // The promotion dashboard issue (src/adapters/github/dashboard.ts; listing and creating issues are above).
  "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
  // Vulnerabilities gate (src/adapters/github/source.ts): the source commit's code scanning analysis and open alerts.
  "GET /repos/{owner}/{repo}/code-scanning/analyses",
  "GET /repos/{owner}/{repo}/code-scanning/alerts",
] as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Copies `paths[path][method]` for each operation and every component reached through `$ref`. */
export function buildSubset(full: { openapi: string; info: Json; paths: Record<string, Record<string, Json>>; components: Record<string, Record<string, Json>> }, operations: readonly string[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const components: Record<string, Record<string, Json>> = {};
  const pending: Json[] = [];
  for (const operation of operations) {
    const [method, path] = operation.split(" ") as [string, string];
    const item = full.paths[path]?.[method.toLowerCase()];
    if (item === undefined) throw new Error(`operation not found in the OpenAPI description: ${operation}`);
    (paths[path] ??= {})[method.toLowerCase()] = item;
    pending.push(item);
  }
  const seen = new Set<string>();
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== "object") continue;
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string" && !seen.has(value)) {
        seen.add(value);
        const [, , section, name] = value.split("/") as [string, string, string, string];
        const target = full.components[section]?.[name];
        if (target === undefined) throw new Error(`dangling $ref ${value}`);
        (components[section] ??= {})[name] = target;
        pending.push(target);
      } else {
        pending.push(value);
      }
    }
  }
  return { openapi: full.openapi, info: full.info, paths, components } as Json;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = process.argv[2];
  if (!source) {
    console.error("usage: tsx scripts/generate-openapi-subset.ts PATH/TO/api.github.com.json");
    process.exit(1);
  }
  const full = JSON.parse(readFileSync(source, "utf8"));
  const subset = buildSubset(full, OPERATIONS);
  const out = fileURLToPath(new URL("../test/support/github/openapi-subset.json", import.meta.url));
  writeFileSync(out, JSON.stringify(subset, null, 1) + "\n");
  console.log(`wrote ${out} (${OPERATIONS.length} operations, OpenAPI ${full.info?.version ?? "?"})`);
}
