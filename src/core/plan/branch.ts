/**
 * Promotion branch names. Deterministic, so a redelivered or concurrent event computes the same
 * branch and cannot open a second PR:
 *
 *     stagegate/<env>/<service>/<digest12>             a promotion
 *     stagegate/rollback/<env>/<service>/<digest12>    a rollback
 *
 * Names are validated config names (lowercase, digits, `-`), so the segments never contain `/`.
 */
export type PromotionKind = "promotion" | "rollback";

export interface PromotionBranch {
  kind: PromotionKind;
  environment: string;
  service: string;
  /** First 12 hex characters of the digest. */
  digest12: string;
}

export const BRANCH_PREFIX = "stagegate/";
const SEGMENT = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DIGEST12 = /^[a-f0-9]{12}$/;

/** The first 12 hex characters of `sha256:<hex>` (or of bare hex). */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** The branch of a promotion or rollback of `digest` of `service` into `environment`. */
export function promotionBranch(kind: PromotionKind, environment: string, service: string, digest: string): string {
  const parts = kind === "rollback" ? ["rollback", environment, service] : [environment, service];
  return `${BRANCH_PREFIX}${parts.join("/")}/${shortDigest(digest)}`;
}

/**
 * Reads a branch name back; undefined for anything that is not a Stagegate branch. Rollbacks have
 * one segment more, so an environment named `rollback` is still unambiguous.
 */
export function parsePromotionBranch(branch: string): PromotionBranch | undefined {
  if (!branch.startsWith(BRANCH_PREFIX)) return undefined;
  const parts = branch.slice(BRANCH_PREFIX.length).split("/");
  const rollback = parts.length === 4 && parts[0] === "rollback";
  const [environment, service, digest12] = rollback ? parts.slice(1) : parts;
  if ((parts.length !== 3 && !rollback) || !environment || !service || !digest12) return undefined;
  if (!SEGMENT.test(environment) || !SEGMENT.test(service) || !DIGEST12.test(digest12)) return undefined;
  return { kind: rollback ? "rollback" : "promotion", environment, service, digest12 };
}

/** True when both branches move the same service in the same environment, with the same kind. */
export function isSameLane(a: PromotionBranch, b: PromotionBranch): boolean {
  return a.kind === b.kind && a.environment === b.environment && a.service === b.service;
}
