/**
 * DeploymentsPort on GitHub: the Deployments API. One deployment per (environment, service, merge
 * commit), task `deploy:<service>`, the digest in the payload; created idempotently (the deployments
 * of that sha and environment are listed first and a matching one is reused, so a redelivered push
 * records nothing twice). Statuses are posted with `auto_inactive: false`: an environment holds many
 * services, and GitHub's automatic inactivation would retire the other services' deployments —
 * Stagegate marks the superseded deployment of the same service inactive itself.
 */
import type { Deployment, DeploymentsPort, DeploymentStatus, NewDeployment } from "../../core/ports/deployments.js";
import type { Clock } from "../../core/ports/clock.js";
import { systemClock } from "../../core/ports/clock.js";
import { formatRepoRef } from "./client.js";
import { creatorOfBotStatus, deploymentTask, formatDeploymentPayload, parseDeploymentPayload } from "./deployment-payload.js";
import { callGitHub } from "./errors.js";
import type { FactsSession } from "./facts-session.js";
import { DEPLOYMENT_FIELDS, DEPLOYMENTS_PER_QUERY, parseDeployments, toDeployment, type RawDeployment } from "./gate-facts-query.js";

const DEPLOYMENTS_QUERY = `query StagegateDeployments($owner: String!, $name: String!, $environments: [String!]) {
  repository(owner: $owner, name: $name) { deployments(first: ${DEPLOYMENTS_PER_QUERY}, environments: $environments, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { ${DEPLOYMENT_FIELDS} } } }
}`;

/** Pages of 100 read per history environment by listRecentDeployments (1,000 deployments). */
export const MAX_HISTORY_PAGES = 10;

interface RawConnection {
  nodes: RawDeployment[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** One query for a page of each environment's deployments: a field `e<i>` per environment, after its cursor. */
export function recentDeploymentsQuery(owner: string, name: string, pages: readonly { environment: string; after: string | null }[]): { query: string; variables: Record<string, unknown> } {
  const declarations = ["$owner: String!", "$name: String!"];
  const fields: string[] = [];
  const variables: Record<string, unknown> = { owner, name };
  for (const [i, page] of pages.entries()) {
    declarations.push(`$e${i}: [String!]`, `$a${i}: String`);
    fields.push(`e${i}: deployments(first: ${DEPLOYMENTS_PER_QUERY}, after: $a${i}, environments: $e${i}, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { ${DEPLOYMENT_FIELDS} } pageInfo { hasNextPage endCursor } }`);
    variables[`e${i}`] = [page.environment];
    variables[`a${i}`] = page.after;
  }
  return { query: `query StagegateRecentDeployments(${declarations.join(", ")}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }`, variables };
}

/** Options of the deployments adapter. */
export interface DeploymentOptions {
  /** Whether an environment is a production one (no downstream environment): sets `production_environment`. */
  isProduction?: (environment: string) => Promise<boolean> | boolean;
  /** Link shown on the deployment statuses Stagegate posts (e.g. the PR or the evidence). */
  logUrl?: (deployment: Deployment) => string | undefined;
  /** Time of the statuses this delivery posts, as later reads in the same delivery see them. */
  clock?: Clock;
}

interface RestDeployment {
  id: number;
  sha: string;
  environment: string;
  task: string;
  created_at: string;
  payload: unknown;
}

/** Deployments of the environments repository. */
export class GitHubDeployments implements DeploymentsPort {
  #session: FactsSession;
  #options: DeploymentOptions;

  constructor(session: FactsSession, options: DeploymentOptions = {}) {
    this.#session = session;
    this.#options = options;
  }

  async listDeployments(filter: { environment?: string; service?: string } = {}): Promise<Deployment[]> {
    let all = this.#session.deployments;
    if (!all) {
      const { client, repo, identity } = this.#session;
      const raw = await callGitHub({ operation: "listDeployments", repo: formatRepoRef(repo) }, () =>
        client.graphql<{ repository: { deployments: { nodes: RawDeployment[] } } | null }>(DEPLOYMENTS_QUERY, { owner: repo.owner, name: repo.repo, environments: null }),
      );
      all = parseDeployments(raw.repository?.deployments.nodes ?? [], identity);
      this.#session.deployments = all;
    }
    return all.filter((d) => (filter.environment === undefined || d.environment === filter.environment) && (filter.service === undefined || d.service === filter.service));
  }

  /**
   * The newest deployments of each environment in `environments` (up to 100 each), and of those in
   * `history` every one created since `since`, newest first. One request for every environment's
   * first page (a field per environment), then further pages only for a history environment whose
   * window goes past them; at most {@link MAX_HISTORY_PAGES} pages per environment. The repository-wide
   * list of {@link listDeployments} holds its newest 100 only: a busy dev pipeline there pushes prod's
   * deployments out of it.
   */
  async listRecentDeployments(environments: readonly string[], since: Date, history: readonly string[] = []): Promise<Deployment[]> {
    const { client, repo, identity } = this.#session;
    const names = [...new Set(environments)];
    const nodes: RawDeployment[] = [];
    let pending = names.map((environment) => ({ environment, after: null as string | null, pages: 0 }));
    while (pending.length > 0) {
      const { query, variables } = recentDeploymentsQuery(repo.owner, repo.repo, pending);
      const raw = await callGitHub({ operation: "listRecentDeployments", repo: formatRepoRef(repo) }, () => client.graphql<{ repository: Record<string, RawConnection> | null }>(query, variables));
      const next: typeof pending = [];
      for (const [i, entry] of pending.entries()) {
        const connection = raw.repository?.[`e${i}`];
        const page = connection?.nodes ?? [];
        nodes.push(...page);
        const oldest = page.at(-1)?.createdAt;
        const more = connection?.pageInfo.hasNextPage === true && connection.pageInfo.endCursor !== null && oldest !== undefined && Date.parse(oldest) >= since.getTime();
        if (more && history.includes(entry.environment) && entry.pages + 1 < MAX_HISTORY_PAGES) next.push({ environment: entry.environment, after: connection.pageInfo.endCursor, pages: entry.pages + 1 });
      }
      pending = next;
    }
    return parseDeployments(nodes, identity).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || Number(b.id) - Number(a.id));
  }

  async createDeployment(input: NewDeployment): Promise<{ deployment: Deployment; created: boolean }> {
    const { client, repo } = this.#session;
    const context = { operation: "createDeployment", repo: formatRepoRef(repo), environment: input.environment, sha: input.ref };
    const task = deploymentTask(input.payload.service);
    const existing = await callGitHub(context, () =>
      client.request("GET /repos/{owner}/{repo}/deployments", { owner: repo.owner, repo: repo.repo, sha: input.ref, environment: input.environment, task, per_page: 100 }),
    );
    const match = (existing.data as RestDeployment[]).find((d) => {
      const payload = parseDeploymentPayload(d.payload);
      return payload?.service === input.payload.service && payload.digest === input.payload.digest;
    });
    if (match) {
      const known = (await this.listDeployments({ environment: input.environment })).find((d) => d.id === String(match.id));
      return { deployment: known ?? this.#fromRest(match), created: false };
    }
    const production = (await this.#options.isProduction?.(input.environment)) ?? false;
    const response = await callGitHub(context, () =>
      client.request("POST /repos/{owner}/{repo}/deployments", {
        owner: repo.owner,
        repo: repo.repo,
        ref: input.ref,
        task,
        environment: input.environment,
        payload: formatDeploymentPayload(input.payload),
        description: `${input.payload.kind === "rollback" ? "rollback" : "deploy"} ${input.payload.service} ${input.payload.digest.slice(0, 19)}`,
        auto_merge: false,
        required_contexts: [],
        transient_environment: false,
        production_environment: production,
      }),
    );
    const deployment = this.#fromRest(response.data as RestDeployment, input);
    this.#session.deployments = [deployment, ...(this.#session.deployments ?? [])];
    return { deployment, created: true };
  }

  async addDeploymentStatus(id: string, status: Omit<DeploymentStatus, "createdAt">): Promise<void> {
    const { client, repo, identity } = this.#session;
    const known = this.#session.deployments?.find((d) => d.id === id);
    const logUrl = status.logUrl ?? (known ? this.#options.logUrl?.(known) : undefined);
    await callGitHub({ operation: "addDeploymentStatus", repo: formatRepoRef(repo), deployment: id, state: status.state }, () =>
      client.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
        owner: repo.owner,
        repo: repo.repo,
        deployment_id: Number(id),
        state: status.state,
        // GitHub caps descriptions at 140 characters.
        description: status.description.length > 140 ? status.description.slice(0, 139) + "…" : status.description,
        ...(logUrl ? { log_url: logUrl } : {}),
        auto_inactive: false,
      }),
    );
    // The app's bot is the creator on GitHub: its own verdict, unless it mirrors a deployer's status.
    if (known) known.statuses.push({ ...status, creator: creatorOfBotStatus(status.description, identity.verifier), createdAt: (this.#options.clock ?? systemClock).now().toISOString() });
  }

  #fromRest(d: RestDeployment, input?: NewDeployment): Deployment {
    const payload = parseDeploymentPayload(d.payload) ?? input!.payload;
    return toDeployment(String(d.id), d.environment, d.sha, d.created_at, payload, []);
  }
}
