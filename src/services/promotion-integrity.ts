/**
 * Whether a PR carrying Stagegate's evidence block changes what that evidence declares, and nothing
 * else. The block is only as trustworthy as the PR: anyone who can edit the PR can rewrite it and
 * recompute its checksum (no signature), and anyone who can push to the branch can add commits. So the
 * gates chosen from the evidence (the environment's policy, the rollback fast path) apply only when:
 *
 * - every file the PR changes is in the declared environment's folder (no other environment, no
 *   stagegate.yaml or policies/, no file outside environments);
 * - each changed file differs from its version at the merge base by the declared swap alone (a previous
 *   digest → the declared digest, with a tag beside it: the audit's own check, isDeclaredSwap), no file
 *   added or removed;
 * - a rollback returns to a digest that ran in that environment before (a Stagegate deployment of it
 *   there, or the digest a deployment there replaced).
 *
 * Otherwise the PR is evaluated as a hand-made change (the gates of every environment it touches).
 */
import { isDeclaredSwap } from "../adapters/git/digest-swap.js";
import type { Environment } from "../core/config/index.js";
import type { Evidence } from "../core/evidence/schema.js";
import type { PromotionPullRequest } from "../core/ports/environments-repo.js";
import { isConfigPath } from "./evaluate-change.js";
import type { LifecycleDeps } from "./lifecycle-deps.js";

const short = (digest: string) => digest.replace(/^sha256:/, "").slice(0, 12);

/** Why the PR cannot be taken for the promotion its evidence declares; undefined when it can. */
export async function promotionIntegrityProblem(deps: Pick<LifecycleDeps, "commits" | "deployments">, pr: PromotionPullRequest, evidence: Evidence, env: Environment): Promise<string | undefined> {
  const folder = env.path.replace(/^\.\/+/, "").replace(/\/+$/, "");
  const inFolder = (path: string) => folder === "" || folder === "." || path === folder || path.startsWith(`${folder}/`);
  const files = await deps.commits.changedFiles(pr.baseRef, pr.headSha);
  const outside = files.find((path) => isConfigPath(path) || !inFolder(path));
  if (outside !== undefined) return `it changes ${outside}, outside ${env.name}'s folder (${env.path})`;

  if (evidence.kind === "rollback") {
    const target = evidence.artifact.digest;
    const deployments = await deps.deployments.listDeployments({ service: evidence.service });
    const ranThere = deployments.some((d) => d.environment === env.name && (d.digest === target || d.payload.previousDigest === target));
    if (!ranThere) return `it rolls ${evidence.service} in ${env.name} back to sha256:${short(target)}, which never ran there`;
  }

  if (files.length === 0) return undefined;
  // From the merge base, as the PR's diff: the default branch may have moved on (another service's digest in the same file).
  const [head, base] = await Promise.all([deps.commits.readSnapshotAt(pr.headSha), deps.commits.mergeBase(pr.baseRef, pr.headSha).then((sha) => deps.commits.readSnapshotAt(sha))]);
  const previous = evidence.previous.map((p) => p.digest);
  const digest = evidence.artifact.digest;
  for (const path of files) {
    const before = base.files.get(path);
    const after = head.files.get(path);
    if (after === undefined) return `it deletes ${path}`;
    if (before === undefined) return `it adds ${path}`;
    if (before === after) continue;
    const swapped = previous.some((p) => isDeclaredSwap(Buffer.from(before, "utf8"), Buffer.from(after, "utf8"), p, digest));
    if (!swapped) return `${path} changes other than by the declared swap to sha256:${short(digest)}`;
  }
  return undefined;
}
