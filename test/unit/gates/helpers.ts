import { gateSpecSchema, type GateSpecOf, type GateType } from "../../../src/core/config/gate-schemas.js";
import type { GateFacts } from "../../../src/core/gates/facts.js";
import type { GateContext } from "../../../src/core/gates/types.js";

export const DIGEST = `sha256:${"a".repeat(64)}`;
export const OTHER_DIGEST = `sha256:${"b".repeat(64)}`;

/** A gate spec as a policy would hold it after parsing (defaults applied). */
export function gate<T extends GateType>(input: { gate: T } & Record<string, unknown>): GateSpecOf<T> {
  return gateSpecSchema.parse(input) as GateSpecOf<T>;
}

export function ctx(overrides: Partial<GateContext> = {}): GateContext {
  return { now: new Date("2024-06-03T10:00:00Z"), environment: "prod", service: "checkout", digest: DIGEST, upstream: ["staging"], ...overrides };
}

export function facts(overrides: Partial<GateFacts> = {}): GateFacts {
  return { deployments: [], ...overrides };
}
