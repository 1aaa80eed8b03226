/**
 * REST routes of the fake GitHub. Responses start from the examples of GitHub's OpenAPI description
 * (so they satisfy its response schemas) with the fields the app reads overridden from fake state.
 */
import type { FakeRepo } from "./fake-state.js";

interface RestContext {
  repos: FakeRepo[];
  examples: Record<string, { value: unknown }>;
  now: string;
}

function example(ctx: RestContext, name: string, overrides: Record<string, unknown>): Record<string, unknown> {
  return { ...(structuredClone(ctx.examples[name]!.value) as Record<string, unknown>), ...overrides };
}

/** Serves one REST request: [status, body]. */
export function handleRest(ctx: RestContext, method: string, path: string, body: unknown): [number, unknown] {
  const input = (body ?? {}) as Record<string, unknown>;
  let m: RegExpExecArray | null;
  if (method === "POST" && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path))) {
    return [201, example(ctx, "installation-token", { token: `ghs_test_${m[1]}`, expires_at: "2099-01-01T00:00:00Z" })];
  }
  const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path);
  if (repoMatch) {
    const repo = ctx.repos.find((r) => r.owner === decodeURIComponent(repoMatch[1]!) && r.name === decodeURIComponent(repoMatch[2]!));
    if (!repo) return [404, { message: "Not Found" }];
    const rest = repoMatch[3]!;
    if (method === "GET" && rest === "/installation") return [200, example(ctx, "installation", { id: 42 })];
    if (method === "POST" && (m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const id = repo.nextId() + 1000;
      repo.issueComments.push({ id, issue: Number(m[1]), body: String(input.body) });
      return [201, example(ctx, "issue-comment", { id, body: input.body, html_url: `https://github.com/${repo.fullName}/issues/${m[1]}#issuecomment-${id}` })];
    }
    if (method === "POST" && (m = /^\/issues\/comments\/(\d+)\/reactions$/.exec(rest))) {
      repo.reactions.push({ commentId: Number(m[1]), content: String(input.content) });
      return [201, example(ctx, "reaction", { content: input.content })];
    }
    if (method === "POST" && rest === "/check-runs") {
      const id = repo.nextId() + 5000;
      const output = input.output as { title?: string; summary?: string } | undefined;
      repo.checkRuns.push({ id, name: String(input.name), headSha: String(input.head_sha), status: input.status as string | undefined, conclusion: input.conclusion as string | undefined, title: output?.title, summary: output?.summary });
      return [201, example(ctx, "check-run-example-of-completed-conclusion", { id, name: input.name, head_sha: input.head_sha, conclusion: input.conclusion ?? null })];
    }
    return [404, { message: "Not Found" }];
  }
  if (method === "GET" && (m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(path))) {
    const [org, slug, user] = [m[1]!, m[2]!, m[3]!].map(decodeURIComponent) as [string, string, string];
    const team = ctx.repos.find((r) => r.owner === org)?.teams.get(slug);
    if (!team?.members.has(user)) return [404, { message: "Not Found" }];
    return [200, example(ctx, "team-membership-response-if-user-is-a-team-maintainer", { role: "member", state: "active" })];
  }
  return [404, { message: "Not Found" }];
}
