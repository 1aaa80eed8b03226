/**
 * Turns an Octokit request into a low-cardinality route label. `octokit.rest.*` and
 * `octokit.request("GET /repos/{owner}/{repo}/pulls", …)` already carry the template; raw URLs (pagination
 * `next` links, hand-built paths) are folded back into one so owner names, numbers, SHAs, refs and file
 * paths never become label values.
 */

/** Path segments whose next segment is an identifier chosen by users (named like GitHub's OpenAPI parameters). */
const NAMED_SEGMENTS: Readonly<Record<string, string>> = {
  orgs: "{org}",
  users: "{username}",
  teams: "{team_slug}",
  installations: "{installation_id}",
  repositories: "{repository_id}",
  environments: "{environment_name}",
  labels: "{name}",
  branches: "{branch}",
  ref: "{ref}",
  refs: "{ref}",
  "matching-refs": "{ref}",
  tags: "{tag}",
  compare: "{basehead}",
  notes: "{ref}",
  // plural nouns whose next segment is an id or a number
  pulls: "{pull_number}",
  issues: "{issue_number}",
  comments: "{comment_id}",
  reviews: "{review_id}",
  deployments: "{deployment_id}",
  statuses: "{status_id}",
  "check-runs": "{check_run_id}",
  "check-suites": "{check_suite_id}",
  commits: "{ref}",
  hooks: "{hook_id}",
  deliveries: "{delivery_id}",
  releases: "{release_id}",
  runs: "{run_id}",
  jobs: "{job_id}",
  alerts: "{alert_number}",
  analyses: "{analysis_id}",
  packages: "{package_type}",
  versions: "{package_version_id}",
};

/** Segments after which the rest of the path is one user-chosen value (a file path or a ref with slashes). */
const TAIL_SEGMENTS: Readonly<Record<string, string>> = { contents: "{path}", "git/ref": "{ref}", "git/refs": "{ref}", "git/matching-refs": "{ref}" };

/** Segments that are GitHub vocabulary, never identifiers, even when they follow a `NAMED_SEGMENTS` key. */
const VOCABULARY = new Set([
  "requested_reviewers", "reviews", "comments", "commits", "files", "merge", "update-branch", "events",
  "statuses", "status", "check-runs", "check-suites", "members", "repos", "access_tokens", "installation",
  "timeline", "labels", "assignees", "reactions", "dismissals", "protection", "rerequest", "annotations",
]);

/**
 * The route label for one request: `"<METHOD> <template>"`, e.g. `GET /repos/{owner}/{repo}/pulls/{pull_number}`.
 * Origins, the GitHub Enterprise Server `/api/v3` prefix, query strings and `{?…}` expansions are dropped.
 */
export function toRouteLabel(method: string, url: string): string {
  return `${method.toUpperCase()} ${toRouteTemplate(url)}`;
}

/** The path template of a request URL (see `toRouteLabel`). */
export function toRouteTemplate(url: string): string {
  let path = url.replace(/^[a-z]+:\/\/[^/]+/i, "").replace(/\{[?&][^}]*\}/g, "").replace(/[?#].*$/, "");
  path = path.replace(/^\/api\/v3(?=\/|$)/, "");
  if (path === "") return "/";
  if (path.includes("{")) return path;
  return templateRawPath(path);
}

function templateRawPath(path: string): string {
  const segments = path.split("/").slice(1);
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? "";
    const previous = segments[i - 1];
    if (i <= 2 && segments[0] === "repos") {
      out.push(i === 0 ? "repos" : i === 1 ? "{owner}" : "{repo}");
      continue;
    }
    const tail = TAIL_SEGMENTS[segment] ?? (previous !== undefined ? TAIL_SEGMENTS[`${previous}/${segment}`] : undefined);
    if (tail !== undefined && i < segments.length - 1) {
      out.push(segment, tail);
      break;
    }
    const named = previous !== undefined ? NAMED_SEGMENTS[previous] : undefined;
    if (named !== undefined && !VOCABULARY.has(segment) && out[out.length - 1] === previous) out.push(named);
    else if (/^\d+$/.test(segment)) out.push("{id}");
    else if (/^[0-9a-f]{40}$/i.test(segment)) out.push("{sha}");
    else out.push(segment);
  }
  return `/${out.join("/")}`;
}
