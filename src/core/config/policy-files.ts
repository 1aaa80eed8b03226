/** Where policy files live: direct children of policies/ named `<policy>.yaml` or `<policy>.yml`. */
export const POLICY_FILE_PREFIX = "policies/";

const POLICY_FILE = /^policies\/([^/]+)\.ya?ml$/;

/**
 * The policy name a repo path defines, or undefined when the path is not a policy file. Subfolders
 * of policies/ are free for other files (e.g. Argo Rollouts AnalysisTemplates referenced by gates).
 */
export function getPolicyNameOfPath(path: string): string | undefined {
  return POLICY_FILE.exec(path)?.[1];
}
