import type { Config } from "./config-schema.js";
import type { Diagnostic } from "./loaded.js";
import { diagnosticAt, locate } from "./locate.js";
import type { SourceFile } from "./locate.js";
import { POLICY_FILE_PREFIX } from "./policy-files.js";

/**
 * Checks of stagegate.yaml that its shape cannot express: references between environments,
 * services and policies, the DAG, and environment folders. Every finding is located in the file.
 */

/** Normalises a repo path for comparison: no `./` segments, no duplicate or trailing slashes. */
export function normalizeRepoPath(path: string): string {
  return path
    .split("/")
    .filter((s) => s !== "" && s !== ".")
    .join("/");
}

/** True when `inner` is `outer` or below it (`""` is the repo root and contains everything). */
export function isPathInside(inner: string, outer: string): boolean {
  return outer === "" || inner === outer || inner.startsWith(`${outer}/`);
}

function list(names: readonly string[]): string {
  return names.length === 0 ? "none" : names.join(", ");
}

function checkDuplicates(file: SourceFile, items: readonly { name: string }[], collection: "environments" | "services", noun: string): Diagnostic[] {
  const firstIndex = new Map<string, number>();
  const out: Diagnostic[] = [];
  items.forEach((item, i) => {
    const first = firstIndex.get(item.name);
    if (first === undefined) {
      firstIndex.set(item.name, i);
      return;
    }
    const { line } = locate(file, [collection, first, "name"]);
    out.push(diagnosticAt(file, [collection, i, "name"], `duplicate ${noun} name "${item.name}" (first defined on line ${line}); ${noun} names must be unique`));
  });
  return out;
}

function checkPaths(file: SourceFile, config: Config): Diagnostic[] {
  const out: Diagnostic[] = [];
  const paths = config.environments.map((e) => normalizeRepoPath(e.path));
  config.environments.forEach((env, i) => {
    const path = paths[i] ?? "";
    const where = ["environments", i, "path"];
    if (path === "" || isPathInside(POLICY_FILE_PREFIX.slice(0, -1), path) || isPathInside(path, POLICY_FILE_PREFIX.slice(0, -1))) {
      out.push(diagnosticAt(file, where, `environment "${env.name}": path "${env.path}" overlaps policies/ or stagegate.yaml; use a folder of its own such as environments/${env.name}`));
      return;
    }
    for (let j = 0; j < i; j++) {
      const other = paths[j] ?? "";
      const otherEnv = config.environments[j];
      if (!otherEnv || other === "") continue;
      if (other === path) {
        out.push(diagnosticAt(file, where, `environment "${env.name}": path "${env.path}" is already used by environment "${otherEnv.name}"; each environment needs its own folder`));
      } else if (isPathInside(path, other)) {
        out.push(diagnosticAt(file, where, `environment "${env.name}": path "${env.path}" is inside the path of environment "${otherEnv.name}" ("${otherEnv.path}"); environment folders must not nest`));
      } else if (isPathInside(other, path)) {
        out.push(diagnosticAt(file, where, `environment "${env.name}": path "${env.path}" contains the path of environment "${otherEnv.name}" ("${otherEnv.path}"); environment folders must not nest`));
      }
    }
  });
  return out;
}

function checkUpstreams(file: SourceFile, config: Config): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = config.environments.map((e) => e.name);
  config.environments.forEach((env, i) => {
    const seen = new Set<string>();
    env.from.forEach((upstream, j) => {
      const where = ["environments", i, "from", j];
      if (seen.has(upstream)) out.push(diagnosticAt(file, where, `environment "${env.name}": upstream "${upstream}" is listed twice in from`));
      seen.add(upstream);
      if (!names.includes(upstream)) {
        out.push(diagnosticAt(file, where, `environment "${env.name}": unknown upstream "${upstream}" in from (known: ${list(names.filter((n) => n !== env.name))})`));
      }
    });
  });
  return out;
}

/** Cycles of the `from` graph, each as a list of environment indexes (first repeated at the end). */
export function findCycles(config: Config): number[][] {
  const index = new Map(config.environments.map((e, i) => [e.name, i]));
  const state: ("new" | "open" | "done")[] = config.environments.map(() => "new");
  const stack: number[] = [];
  const cycles: number[][] = [];
  const seen = new Set<string>();
  const visit = (i: number): void => {
    state[i] = "open";
    stack.push(i);
    for (const upstream of config.environments[i]?.from ?? []) {
      const j = index.get(upstream);
      if (j === undefined) continue;
      if (state[j] === "open") {
        const cycle = [...stack.slice(stack.lastIndexOf(j)), j];
        const key = [...new Set(cycle)].sort((a, b) => a - b).join(",");
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (state[j] === "new") visit(j);
    }
    stack.pop();
    state[i] = "done";
  };
  config.environments.forEach((_, i) => {
    if (state[i] === "new") visit(i);
  });
  return cycles;
}

function checkCycles(file: SourceFile, config: Config): Diagnostic[] {
  return findCycles(config).map((cycle) => {
    const names = cycle.map((i) => config.environments[i]?.name ?? "?");
    const first = cycle[0] ?? 0;
    const next = names[1] ?? "";
    const fromIndex = config.environments[first]?.from.indexOf(next) ?? 0;
    return diagnosticAt(
      file,
      ["environments", first, "from", Math.max(fromIndex, 0)],
      `environment "${names[0]}": the pipeline has a cycle ${names.join(" → ")} (each arrow reads "takes from"); remove one of these upstreams`,
    );
  });
}

function checkPolicies(file: SourceFile, config: Config, policyNames: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const known = list([...policyNames].sort());
  const usersOfDefault: number[] = [];
  config.environments.forEach((env, i) => {
    if (env.policy === undefined) {
      usersOfDefault.push(i);
      return;
    }
    if (!policyNames.has(env.policy)) {
      out.push(diagnosticAt(file, ["environments", i, "policy"], `environment "${env.name}": policy "${env.policy}" not found; create policies/${env.policy}.yaml (existing policies: ${known})`));
    }
  });
  const fallback = config.defaults.policy;
  if (usersOfDefault.length > 0 && !policyNames.has(fallback)) {
    const envs = usersOfDefault.map((i) => config.environments[i]?.name ?? "?");
    const declared = (file.data as { defaults?: { policy?: unknown } } | null)?.defaults?.policy !== undefined;
    const where = declared ? ["defaults", "policy"] : ["environments", usersOfDefault[0] ?? 0];
    out.push(
      diagnosticAt(
        file,
        where,
        `default policy "${fallback}" (used by ${envs.map((e) => `"${e}"`).join(", ")}) not found; create policies/${fallback}.yaml (Stagegate ships a default.yaml to start from) or set policy: on ${envs.length === 1 ? "that environment" : "those environments"} (existing policies: ${known})`,
      ),
    );
  }
  return out;
}

function checkTargets(file: SourceFile, config: Config, files: ReadonlyMap<string, string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const envs = new Map(config.environments.map((e) => [e.name, e]));
  config.services.forEach((service, i) => {
    for (const [envName, targets] of Object.entries(service.targets)) {
      const env = envs.get(envName);
      if (!env) {
        out.push(diagnosticAt(file, ["services", i, "targets", envName], `service "${service.name}": targets names unknown environment "${envName}" (known: ${list([...envs.keys()])})`, "error", "key"));
        continue;
      }
      const envPath = normalizeRepoPath(env.path);
      targets.forEach((target, j) => {
        const where = ["services", i, "targets", envName, j, "file"];
        const path = normalizeRepoPath(target.file);
        if (!isPathInside(path, envPath)) {
          out.push(diagnosticAt(file, where, `service "${service.name}": target file "${target.file}" is outside the path of environment "${envName}" (${env.path}); a promotion only edits files of its environment`));
        } else if (!files.has(path)) {
          out.push(diagnosticAt(file, where, `service "${service.name}": target file "${target.file}" of environment "${envName}" does not exist`));
        }
      });
    }
  });
  return out;
}

function checkImages(file: SourceFile, config: Config): Diagnostic[] {
  const out: Diagnostic[] = [];
  const owner = new Map<string, string>();
  config.services.forEach((service, i) => {
    const first = owner.get(service.image);
    if (first !== undefined) {
      out.push(diagnosticAt(file, ["services", i, "image"], `service "${service.name}": image ${service.image} is also the image of service "${first}"; Stagegate maps each published image to one service`, "warning"));
    } else owner.set(service.image, service.name);
  });
  return out;
}

/** Every semantic check of a shape-valid stagegate.yaml. */
export function checkConfigSemantics(file: SourceFile, config: Config, policyNames: ReadonlySet<string>, files: ReadonlyMap<string, string>): Diagnostic[] {
  return [
    ...checkDuplicates(file, config.environments, "environments", "environment"),
    ...checkDuplicates(file, config.services, "services", "service"),
    ...checkPaths(file, config),
    ...checkUpstreams(file, config),
    ...checkCycles(file, config),
    ...checkPolicies(file, config, policyNames),
    ...checkTargets(file, config, files),
    ...checkImages(file, config),
    ...checkBaseBranch(file, config),
  ];
}

/**
 * `defaults.baseBranch` is not acted on: promotions target, and the ruleset, deployments, dashboard and
 * audit follow, the repository's default branch. Said where it is set, rather than silently ignored.
 */
function checkBaseBranch(file: SourceFile, config: Config): Diagnostic[] {
  if (config.defaults.baseBranch === undefined) return [];
  return [diagnosticAt(file, ["defaults", "baseBranch"], `defaults.baseBranch is not supported: promotions always target the repository's default branch (make "${config.defaults.baseBranch}" the default branch, or remove this key)`, "warning")];
}
