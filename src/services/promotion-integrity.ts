/**
 * Whether a PR carrying Stagegate's evidence block changes what that evidence declares, and nothing
 * else. The block is only as trustworthy as the PR: anyone who can edit the PR can rewrite it and
 * recompute its checksum (no signature), and anyone who can push to the branch can add commits. So the
 * gates chosen from the evidence (the environment's policy, the rollback fast path) apply only when:
 *
 * - every file the PR changes is in the declared environment's folder (no other environment, no
 *   stagegate.yaml or policies/, no file outside environments);
 * - each changed file is exactly what Stagegate's own plan writes for the declared change on the PR's
 *   merge base (planPromotion: the same editors, tags and targets), no file added or removed;
 * - a rollback returns to a digest that ran in that environment before (a Stagegate deployment of it
 *   there, or the digest a deployment there replaced).
 *
 * Otherwise the PR is evaluated as a hand-made change (the gates of every environment it touches).
 */
import type { Environment, LoadedConfig } from "../core/config/index.js";
import type { Evidence } from "../core/evidence/schema.js";
import { shortDigest } from "../core/plan/branch.js";
import { planPromotion } from "../core/plan/plan.js";
import type { PromotionPullRequest } from "../core/ports/environments-repo.js";
import { isConfigPath } from "./evaluate-change.js";
import type { LifecycleDeps } from "./lifecycle-deps.js";

/** Why the PR cannot be taken for the promotion its evidence declares; undefined when it can. */
export async function promotionIntegrityProblem(deps: Pick<LifecycleDeps, "commits" | "deployments">, pr: PromotionPullRequest, evidence: Evidence, env: Environment, loaded: LoadedConfig): Promise<string | undefined> {
  const folder = env.path.replace(/^\.\/+/, "").replace(/\/+$/, "");
  const inFolder = (path: string) => folder === "" || folder === "." || path === folder || path.startsWith(`${folder}/`);
  const files = await deps.commits.changedFiles(pr.baseRef, pr.headSha);
  const outside = files.find((path) => isConfigPath(path) || !inFolder(path));
  if (outside !== undefined) return `it changes ${outside}, outside ${env.name}'s folder (${env.path})`;

  if (evidence.kind === "rollback") {
    const target = evidence.artifact.digest;
    const deployments = await deps.deployments.listDeployments({ service: evidence.service });
    const ranThere = deployments.some((d) => d.environment === env.name && (d.digest === target || d.payload.previousDigest === target));
    if (!ranThere) return `it rolls ${evidence.service} in ${env.name} back to sha256:${shortDigest(target)}, which never ran there`;
  }

  if (files.length === 0) return undefined;
  // From the merge base, as the PR's diff: the default branch may have moved on (another service's digest in the same file).
  const [head, base] = await Promise.all([deps.commits.readSnapshotAt(pr.headSha), deps.commits.mergeBase(pr.baseRef, pr.headSha).then((sha) => deps.commits.readSnapshotAt(sha))]);
  // What Stagegate writes for the declared change on the merge base, file by file: the PR's files must be exactly that.
  let expected: Map<string, string>;
  try {
    const plan = planPromotion(base, { artifact: evidence.artifact, environment: evidence.environment, kind: evidence.kind, ...(evidence.from ? { from: evidence.from } : {}) }, loaded);
    expected = new Map(plan.files.map((f) => [f.path, f.after]));
  } catch (error) {
    return `its declared change cannot be planned on its merge base (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`;
  }
  const digest = evidence.artifact.digest;
  for (const path of files) {
    const after = head.files.get(path);
    if (after === undefined) return `it deletes ${path}`;
    if (!base.files.has(path)) return `it adds ${path}`;
    if (after === base.files.get(path)) continue;
    if (expected.get(path) !== after) return `${path} is not what Stagegate writes to promote sha256:${shortDigest(digest)}`;
  }
  return undefined;
}
