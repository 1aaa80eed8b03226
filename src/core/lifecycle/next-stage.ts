import type { Auto } from "../config/config-schema.js";
import { getDownstream, type LoadedConfig } from "../config/loaded.js";
import { getUpstreamStatus } from "../gates/deployment-facts.js";
import type { GateFacts } from "../gates/facts.js";

/** A downstream environment of a verified digest, and whether every upstream is ready for it. */
export interface NextStage {
  environment: string;
  auto: Auto;
  /** True when every upstream has the digest verified healthy (and it did not fail since). */
  ready: boolean;
  /** Upstream environments that do not have the digest verified yet. */
  waitingFor: string[];
}

/**
 * The environments directly downstream of `environment` that `digest` may move to next. An
 * environment with several upstreams waits for all of them: the same rule as the `upstream` gate.
 * Environments with `auto: none` are listed (ready or not) but never acted upon by the caller.
 */
export function planNextStages(loaded: LoadedConfig, environment: string, digest: string, deployments: GateFacts["deployments"]): NextStage[] {
  const facts: GateFacts = { deployments };
  return getDownstream(loaded, environment).map((env) => {
    const waitingFor = env.from.filter((up) => getUpstreamStatus(facts, up, digest).status !== "verified");
    return { environment: env.name, auto: env.auto ?? loaded.config.defaults.auto, ready: waitingFor.length === 0, waitingFor };
  });
}

/** Every environment downstream of `environment`, transitively, in DAG order (for closing PRs of a failed digest). */
export function getDownstreamClosure(loaded: LoadedConfig, environment: string): string[] {
  const out: string[] = [];
  const queue = [environment];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const env of getDownstream(loaded, current)) {
      if (!out.includes(env.name)) {
        out.push(env.name);
        queue.push(env.name);
      }
    }
  }
  return out;
}
