import { NotFoundError } from "../../core/errors.js";
import type { Deployment, DeploymentsPort, DeploymentStatus, NewDeployment } from "../../core/ports/deployments.js";
import { ZERO_OID } from "./git-cli.js";
import { LOCAL_BOT } from "./local-pulls.js";
import type { MetaStore } from "./meta-store.js";

export const DEPLOYMENTS_PREFIX = "refs/stagegate/deployments/";
const FILES = ["deployment.json", "statuses.json"];

/**
 * Deployments at `refs/stagegate/deployments/<env>/<service>/<commit12>` (deployment.json, statuses.json).
 * The ref name is the idempotency key: creating it is compare-and-swap from "absent", so two concurrent
 * pushes handlers still record exactly one deployment per change.
 */
export class LocalDeployments implements DeploymentsPort {
  constructor(private readonly meta: MetaStore) {}

  #ref(id: string): string {
    return `${DEPLOYMENTS_PREFIX}${id}`;
  }

  async createDeployment(input: NewDeployment): Promise<{ deployment: Deployment; created: boolean }> {
    const id = `${input.environment}/${input.payload.service}/${input.ref.slice(0, 12)}`;
    const existing = await this.#read(id);
    if (existing) return { deployment: existing, created: false };
    const identity = this.meta.identity(LOCAL_BOT);
    const createdAt = identity.date.toISOString();
    const { statuses: _none, ...record } = {
      id,
      environment: input.environment,
      service: input.payload.service,
      digest: input.payload.digest,
      ref: input.ref,
      kind: input.payload.kind,
      createdAt,
      payload: input.payload,
      statuses: [],
    } satisfies Deployment;
    const queued: DeploymentStatus = { state: "queued", description: `${input.payload.kind} of ${input.payload.digest.slice(0, 19)} created`, creator: LOCAL_BOT, createdAt };
    const message = `deployment ${id}: ${input.payload.service}@${input.payload.digest.slice(7, 19)} to ${input.environment} (${input.payload.kind})`;
    if (await this.meta.write(this.#ref(id), { "deployment.json": record, "statuses.json": [queued] }, message, LOCAL_BOT, ZERO_OID)) {
      return { deployment: { ...record, statuses: [queued] }, created: true };
    }
    const raced = await this.#read(id);
    if (!raced) throw new NotFoundError(`deployment ${id} vanished`, { id });
    return { deployment: raced, created: false };
  }

  async addDeploymentStatus(id: string, status: Omit<DeploymentStatus, "createdAt">): Promise<void> {
    const createdAt = this.meta.identity(status.creator).date.toISOString();
    await this.meta.update(this.#ref(id), FILES, `deployment ${id}: ${status.state} (${status.creator}) ${status.description}`, status.creator, (current) => {
      if (!current) throw new NotFoundError(`deployment ${id} does not exist`, { id });
      const statuses = [...((current["statuses.json"] ?? []) as DeploymentStatus[]), { ...status, createdAt }];
      return { ...current, "statuses.json": statuses };
    });
  }

  async listDeployments(filter: { environment?: string; service?: string } = {}): Promise<Deployment[]> {
    let prefix = DEPLOYMENTS_PREFIX;
    if (filter.environment) prefix += `${filter.environment}/`;
    if (filter.environment && filter.service) prefix += `${filter.service}/`;
    const states = await this.meta.readPrefix(prefix, FILES);
    return [...states.values()]
      .map((files) => ({ ...(files["deployment.json"] as Omit<Deployment, "statuses">), statuses: (files["statuses.json"] ?? []) as DeploymentStatus[] }))
      .filter((d) => !filter.service || d.service === filter.service)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  async #read(id: string): Promise<Deployment | undefined> {
    const state = await this.meta.read(this.#ref(id), FILES);
    if (!state) return undefined;
    return { ...(state.files["deployment.json"] as Omit<Deployment, "statuses">), statuses: (state.files["statuses.json"] ?? []) as DeploymentStatus[] };
  }
}
