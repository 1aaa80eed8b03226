import type { Config, Environment, Service } from "./config-schema.js";
import type { Policy } from "./policy-schema.js";

/** One problem in a configuration file, located at the offending YAML node. */
export interface Diagnostic {
  /** Path relative to the environments repo root, e.g. `policies/prod.yaml`. */
  file: string;
  /** 1-based line and column of the offending node (1:1 when the whole file is at fault). */
  line: number;
  column: number;
  message: string;
  severity: "error" | "warning";
}

/** Formats a diagnostic as `file:line:col: message` (the CLI contract of `stagegate validate`). */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity === "warning" ? "warning: " : ""}${d.message}`;
}

/** A validated configuration: stagegate.yaml plus every policy it references. */
export interface LoadedConfig {
  config: Config;
  /** Policy name → validated policy. */
  policies: ReadonlyMap<string, Policy>;
}

export type LoadResult = { ok: true; loaded: LoadedConfig; warnings: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** The environment of a name, or undefined. */
export function getEnvironment(loaded: LoadedConfig, name: string): Environment | undefined {
  return loaded.config.environments.find((e) => e.name === name);
}

/** The service of a name, or undefined. */
export function getService(loaded: LoadedConfig, name: string): Service | undefined {
  return loaded.config.services.find((s) => s.name === name);
}

/** The policy name an environment uses (its own or the default). */
export function getPolicyName(loaded: LoadedConfig, env: Environment): string {
  return env.policy ?? loaded.config.defaults.policy;
}

/** The policy an environment uses. Loading guarantees it exists. */
export function getPolicy(loaded: LoadedConfig, env: Environment): Policy {
  const name = getPolicyName(loaded, env);
  const policy = loaded.policies.get(name);
  if (!policy) throw new Error(`policy "${name}" of environment "${env.name}" is not loaded`);
  return policy;
}

/** Environments whose `from` includes `name` (direct downstream). */
export function getDownstream(loaded: LoadedConfig, name: string): Environment[] {
  return loaded.config.environments.filter((e) => e.from.includes(name));
}

/** Environments with no upstream: where new artifacts enter the pipeline. */
export function getEntryEnvironments(loaded: LoadedConfig): Environment[] {
  return loaded.config.environments.filter((e) => e.from.length === 0);
}
