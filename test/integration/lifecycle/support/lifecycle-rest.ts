/**
 * REST routes the lifecycle calls, served from LifecycleState. Responses start from the examples of
 * GitHub's OpenAPI description (so they pass its response schemas) with the fields the app reads
 * overridden; unknown routes fall through to the shared fake's routes.
 */
import type { FakeRepo } from "../../../support/github/fake-state.js";
import type { LifecycleState } from "./lifecycle-state.js";

export interface RestWorld {
  repos: FakeRepo[];
  state: (repo: FakeRepo) => LifecycleState;
  examples: Record<string, { value: unknown }>;
  now: () => string;
  app: { id: number; slug: string };
  commitTimes: Map<string, string>;
}

type Reply = [number, unknown] | undefined;

function example(world: RestWorld, name: string, overrides: Record<string, unknown>): Record<string, unknown> {
  const value = structuredClone(world.examples[name]!.value);
  return { ...((Array.isArray(value) ? value[0] : value) as Record<string, unknown>), ...overrides };
}

const BOT = (world: RestWorld) => `${world.app.slug}[bot]`;

/** Serves a lifecycle route, or undefined to let the shared fake answer. */
export function handleLifecycleRest(world: RestWorld, method: string, path: string, query: URLSearchParams, body: Record<string, unknown>): Reply {
  if (method === "GET" && path === "/app") return [200, example(world, "integration", { id: world.app.id, slug: world.app.slug })];
  if (method === "GET" && path === "/app/installations") return [200, [example(world, "base-installation-items", { id: 42, account: null })]];
  if (method === "GET" && path === "/installation/repositories") {
    const template = (example(world, "repository-paginated-2", {}).repositories as Record<string, unknown>[])[0]!;
    const repositories = world.repos.map((r) => ({ ...template, name: r.name, full_name: r.fullName, owner: { ...(template.owner as object), login: r.owner }, default_branch: "main" }));
    return [200, { total_count: repositories.length, repositories }];
  }
  const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)$/.exec(path);
  if (!m) return undefined;
  const repo = world.repos.find((r) => r.owner === decodeURIComponent(m[1]!) && r.name === decodeURIComponent(m[2]!));
  if (!repo) return [404, { message: "Not Found" }];
  const state = world.state(repo);
  const rest = m[3]!;
  let r: RegExpExecArray | null;
  if (method === "POST" && rest === "/check-runs") {
    const output = (body.output ?? {}) as { title?: string; summary?: string; text?: string; annotations?: unknown[] };
    const id = state.nextId();
    state.checkRuns.push({ id, appId: world.app.id, appSlug: world.app.slug, name: String(body.name), headSha: String(body.head_sha), status: String(body.status ?? "queued"), conclusion: (body.conclusion as string | undefined) ?? null, title: output.title ?? "", summary: output.summary ?? "", text: output.text, externalId: String(body.external_id ?? ""), annotations: output.annotations ?? [] });
    const completed = body.status === "completed";
    return [201, example(world, completed ? "check-run-example-of-completed-conclusion" : "check-run-example-of-in-progress-conclusion", { id, name: body.name, head_sha: body.head_sha, ...(completed ? { conclusion: body.conclusion } : {}) })];
  }
  if (method === "POST" && (r = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
    const comment = state.comment(Number(r[1]), BOT(world), String(body.body), world.now());
    return [201, example(world, "issue-comment", { id: comment.id, body: comment.body })];
  }
  if (method === "POST" && (r = /^\/pulls\/(\d+)\/requested_reviewers$/.exec(rest))) {
    state.requestedReviewers.push({ pr: Number(r[1]), users: (body.reviewers as string[]) ?? [], teams: (body.team_reviewers as string[]) ?? [] });
    return [201, example(world, "pull-request-review-request", { number: Number(r[1]), requested_teams: [], requested_reviewers: [] })];
  }
  if (method === "PUT" && (r = /^\/pulls\/(\d+)\/merge$/.exec(rest))) return merge(world, repo, state, Number(r[1]), body);
  if (method === "PUT" && (r = /^\/pulls\/(\d+)\/reviews\/(\d+)\/dismissals$/.exec(rest))) {
    const reviewId = Number(r[2]);
    const review = (state.reviews.get(Number(r[1])) ?? []).find((v) => v.id === reviewId);
    if (!review) return [404, { message: "Not Found" }];
    if (review.state === "DISMISSED") return [422, { message: "Can not dismiss a dismissed pull request review" }];
    review.state = "DISMISSED";
    state.dismissals.push({ pr: Number(r[1]), review: review.id, message: String(body.message) });
    return [200, example(world, "pull-request-review-3", { id: review.id, state: "DISMISSED", user: { ...((example(world, "pull-request-review-3", {}).user ?? {}) as object), login: review.user } })];
  }
  if (method === "GET" && (rest === "/code-scanning/analyses" || rest === "/code-scanning/alerts")) return codeScanning(world, repo, rest, query);
  if (method === "GET" && rest === "/deployments") {
    const list = state.deployments.filter((d) => (!query.get("sha") || d.sha === query.get("sha")) && (!query.get("environment") || d.environment === query.get("environment")) && (!query.get("task") || d.task === query.get("task")));
    return [200, list.map((d) => restDeployment(world, d))];
  }
  if (method === "POST" && rest === "/deployments") {
    if (!repo.commits.has(String(body.ref))) return [422, { message: `No ref found for: ${String(body.ref)}` }];
    const d = { id: state.nextId(), sha: String(body.ref), environment: String(body.environment), task: String(body.task), payload: body.payload, createdAt: world.now(), creator: BOT(world), productionEnvironment: body.production_environment === true, statuses: [] };
    state.deployments.push(d);
    return [201, restDeployment(world, d)];
  }
  if (method === "POST" && (r = /^\/deployments\/(\d+)\/statuses$/.exec(rest))) {
    const d = state.deployments.find((x) => x.id === Number(r![1]));
    if (!d) return [404, { message: "Not Found" }];
    const status = { id: state.nextId(), state: String(body.state), description: String(body.description ?? ""), createdAt: world.now(), creator: BOT(world), ...(body.log_url ? { logUrl: String(body.log_url) } : {}), autoInactive: body.auto_inactive as boolean | undefined };
    d.statuses.push(status);
    return [201, example(world, "deployment-status", { id: status.id, state: status.state, description: status.description })];
  }
  if (method === "POST" && rest === "/git/trees") {
    const base = body.base_tree ? state.trees.get(String(body.base_tree)) : new Map<string, string>();
    if (!base) return [422, { message: "Invalid tree" }];
    const tree = new Map(base);
    for (const entry of body.tree as { path: string; content: string }[]) tree.set(entry.path, entry.content);
    const sha = state.hash([...tree]);
    state.trees.set(sha, tree);
    return [201, example(world, "git-tree", { sha, truncated: false })];
  }
  if (method === "POST" && rest === "/git/commits") {
    const sha = state.hash([body.tree, body.parents, body.message, state.nextId()]);
    state.gitCommits.set(sha, { sha, tree: String(body.tree), parents: body.parents as string[], message: String(body.message) });
    return [201, example(world, "git-commit", { sha })];
  }
  if (method === "POST" && rest === "/git/refs") {
    const ref = String(body.ref);
    if (state.gitRefs.has(ref)) return [422, { message: "Reference already exists" }];
    state.gitRefs.set(ref, String(body.sha));
    return [201, example(world, "git-ref", { ref, object: { type: "commit", sha: body.sha, url: "https://api.github.com/x" } })];
  }
  if (method === "PATCH" && (r = /^\/git\/refs\/(.+)$/.exec(rest))) {
    const ref = `refs/${decodeURIComponent(r[1]!)}`;
    const current = state.gitRefs.get(ref);
    if (!current) return [422, { message: "Reference does not exist" }];
    if (body.force !== true && !state.gitCommits.get(String(body.sha))?.parents.includes(current)) return [422, { message: "Update is not a fast forward" }];
    state.gitRefs.set(ref, String(body.sha));
    return [200, example(world, "git-ref", { ref, object: { type: "commit", sha: body.sha, url: "https://api.github.com/x" } })];
  }
  if (method === "GET" && (r = /^\/compare\/(.+)$/.exec(rest))) {
    const [base, head] = decodeURIComponent(r[1]!).split("...") as [string, string];
    const b = repo.commits.get(base) ?? repo.head(base);
    const h = repo.commits.get(head) ?? repo.head(head);
    // Three dots: from the merge base (the first commit of base's first-parent chain that head reaches).
    const ancestors = new Set<string>();
    for (let c: typeof h | undefined = h; c; c = c.parentOid ? repo.commits.get(c.parentOid) : undefined) ancestors.add(c.oid);
    let mergeBase: typeof b | undefined = b;
    while (mergeBase && !ancestors.has(mergeBase.oid)) mergeBase = mergeBase.parentOid ? repo.commits.get(mergeBase.parentOid) : undefined;
    const from = mergeBase ?? b;
    const files = [...new Set([...from.files.keys(), ...h.files.keys()])].filter((p) => from.files.get(p) !== h.files.get(p)).sort();
    const comparison = example(world, "commit-comparison", {});
    const template = (comparison.files as Record<string, unknown>[])[0]!;
    return [200, { ...comparison, merge_base_commit: { ...(comparison.merge_base_commit as object), sha: from.oid }, files: files.map((filename) => ({ ...template, filename, previous_filename: undefined })) }];
  }
  if (rest === "/rulesets" || /^\/rulesets\/\d+$/.test(rest)) return rulesets(world, state, method, rest, body);
  if (method === "GET" && rest === "/issues") {
    const label = query.get("labels");
    const wanted = query.get("state") ?? "open";
    const list = state.issues.filter((i) => (wanted === "all" || i.state === wanted) && (!label || i.labels.includes(label)));
    return [200, list.map((i) => example(world, "issue-items", { number: i.number, title: i.title, body: i.body, state: i.state, pull_request: undefined }))];
  }
  if (method === "PATCH" && (r = /^\/issues\/(\d+)$/.exec(rest))) {
    const issue = state.issues.find((i) => i.number === Number(r![1]));
    if (!issue) return [404, { message: "Not Found" }];
    if (typeof body.body === "string") issue.body = body.body;
    if (typeof body.title === "string") issue.title = body.title;
    state.updates = (state.updates ?? 0) + 1;
    return [200, example(world, "issue", { number: issue.number, title: issue.title, body: issue.body })];
  }
  if (method === "POST" && rest === "/issues") {
    const issue = { number: repo.nextId(), title: String(body.title), body: String(body.body ?? ""), labels: (body.labels as string[]) ?? [], state: "open" as const };
    state.issues.push(issue);
    return [201, example(world, "issue", { number: issue.number, title: issue.title, body: issue.body })];
  }
  return undefined;
}

function restDeployment(world: RestWorld, d: LifecycleState["deployments"][number]): Record<string, unknown> {
  return example(world, "deployment-simple-example", { id: d.id, sha: d.sha, ref: d.sha, environment: d.environment, task: d.task, payload: d.payload, created_at: d.createdAt, production_environment: d.productionEnvironment });
}

function merge(world: RestWorld, repo: FakeRepo, state: LifecycleState, number: number, body: Record<string, unknown>): Reply {
  const pull = repo.pulls.find((p) => p.number === number);
  if (!pull || pull.state !== "OPEN") return [405, { message: "Pull Request is not mergeable" }];
  const head = repo.head(pull.head);
  if (body.sha !== undefined && body.sha !== head.oid) return [409, { message: "Head branch was modified. Review and try the merge again." }];
  const base = repo.head(pull.base);
  const changes: Record<string, string> = {};
  for (const [path, text] of head.files) if (base.files.get(path) !== text) changes[path] = text;
  const commit = repo.push(pull.base, changes, String(body.commit_title ?? pull.title));
  commit.body = String(body.commit_message ?? "");
  world.commitTimes.set(commit.oid, world.now());
  pull.state = "MERGED";
  state.merged.set(number, { sha: commit.oid, at: world.now() });
  return [200, example(world, "pull-request-merge-result-response-if-merge-was-successful", { sha: commit.oid, merged: true, message: "Pull Request successfully merged" })];
}

function rulesets(world: RestWorld, state: LifecycleState, method: string, rest: string, body: Record<string, unknown>): Reply {
  if (!state.administration) return [403, { message: "Resource not accessible by integration" }];
  if (method === "GET") return [200, state.rulesets.map((r) => example(world, "repository-ruleset-items", { id: r.id, name: r.name, enforcement: "active", target: "branch" }))];
  const id = method === "POST" ? state.nextId() : Number(rest.split("/").pop());
  const existing = state.rulesets.find((r) => r.id === id);
  if (method === "PUT" && !existing) return [404, { message: "Not Found" }];
  if (existing) existing.body = body;
  else state.rulesets.push({ id, name: String(body.name), body });
  return [method === "POST" ? 201 : 200, example(world, "repository-ruleset", { id, name: body.name, target: body.target, enforcement: body.enforcement, rules: body.rules, conditions: body.conditions })];
}

/** Code scanning analyses (newest first) and open alerts by ref, paged as GitHub pages them; 404 where it never ran. */
function codeScanning(world: RestWorld, repo: FakeRepo, rest: string, query: URLSearchParams): Reply {
  const scanning = repo.codeScanning;
  if (!scanning) return [404, { message: "no analysis found", documentation_url: "https://docs.github.com/rest/code-scanning/code-scanning" }];
  const perPage = Number(query.get("per_page") ?? 30);
  const page = Number(query.get("page") ?? 1);
  const pageOf = <T>(items: T[]) => items.slice((page - 1) * perPage, page * perPage);
  if (rest === "/code-scanning/analyses") return [200, pageOf(scanning.analyses).map((a, i) => example(world, "code-scanning-analysis-items", { id: 100 + i, commit_sha: a.commitSha, ref: a.ref }))];
  const ref = query.get("ref") ?? `refs/heads/${repo.defaultBranch}`;
  if (query.get("state") !== "open") return [200, []];
  return [
    200,
    pageOf(scanning.alerts[ref] ?? []).map((a, i) => {
      const base = example(world, "code-scanning-alert-items", { number: (page - 1) * perPage + i + 1, state: "open" });
      return { ...base, rule: { ...(base.rule as object), id: a.id, name: a.id, security_severity_level: a.severity ?? null } };
    }),
  ];
}
