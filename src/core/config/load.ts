import { CONFIG_FILE } from "../snapshot.js";
import { configSchema } from "./config-schema.js";
import type { Config } from "./config-schema.js";
import type { Diagnostic, LoadedConfig, LoadResult } from "./loaded.js";
import { parseConfigFile } from "./locate.js";
import type { SourceFile } from "./locate.js";
import { getPolicyNameOfPath } from "./policy-files.js";
import { checkPolicySemantics } from "./policy-semantic.js";
import { policySchema } from "./policy-schema.js";
import type { Policy } from "./policy-schema.js";
import { validateAgainst } from "./schema-issues.js";
import { checkConfigSemantics } from "./semantic.js";

/**
 * Loads and validates an environments repository's configuration from a snapshot of its files.
 * Pure and total: every problem in every file is reported at once as a located diagnostic, and no
 * input — however large, malformed or hostile — makes it throw.
 */

/** Sorts diagnostics by file, line, column; stagegate.yaml first, as everything else depends on it. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const rank = (file: string) => (file === CONFIG_FILE ? 0 : 1);
  return [...diagnostics].sort(
    (a, b) => rank(a.file) - rank(b.file) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}

function emptyFile(path: string, what: string): Diagnostic {
  return { file: path, line: 1, column: 1, severity: "error", message: `file is empty; it must be a map with ${what}` };
}

function notAMap(file: SourceFile, what: string): Diagnostic | undefined {
  const data = file.data;
  if (data === null || data === undefined) return emptyFile(file.path, what);
  if (typeof data !== "object" || Array.isArray(data)) {
    const got = Array.isArray(data) ? "a list" : `a ${typeof data}`;
    return { file: file.path, line: 1, column: 1, severity: "error", message: `expected a map with ${what}, got ${got}` };
  }
  return undefined;
}

const CONFIG_KEYS = "version, environments and services";
const POLICY_KEYS = "gates, merge, verification, …";

interface ParsedPolicy {
  name: string;
  file: SourceFile;
  policy: Policy;
}

function loadConfigFile(files: ReadonlyMap<string, string>, diagnostics: Diagnostic[]): { file: SourceFile; config: Config } | undefined {
  const content = files.get(CONFIG_FILE);
  if (content === undefined) {
    const hint = files.has("stagegate.yml") ? "found stagegate.yml: rename it to stagegate.yaml" : "create stagegate.yaml at the repository root (see environments-template/ in Stagegate)";
    diagnostics.push({ file: CONFIG_FILE, line: 1, column: 1, severity: "error", message: `missing configuration file; ${hint}` });
    return undefined;
  }
  const parsed = parseConfigFile(CONFIG_FILE, content);
  if (!parsed.ok) {
    diagnostics.push(...parsed.diagnostics);
    return undefined;
  }
  const shapeProblem = notAMap(parsed.file, CONFIG_KEYS);
  if (shapeProblem) {
    diagnostics.push(shapeProblem);
    return undefined;
  }
  const validated = validateAgainst(parsed.file, configSchema);
  if (!validated.ok) {
    diagnostics.push(...validated.diagnostics);
    return undefined;
  }
  return { file: parsed.file, config: validated.value };
}

function loadPolicyFiles(files: ReadonlyMap<string, string>, diagnostics: Diagnostic[]): { policies: ParsedPolicy[]; names: Set<string> } {
  const policies: ParsedPolicy[] = [];
  // Every policy file that exists, valid or not: an environment naming an invalid policy is not
  // additionally told that the policy is missing.
  const names = new Set<string>();
  const paths = [...files.keys()].filter((p) => getPolicyNameOfPath(p) !== undefined).sort();
  for (const path of paths) {
    const name = getPolicyNameOfPath(path) ?? "";
    if (names.has(name)) {
      diagnostics.push({ file: path, line: 1, column: 1, severity: "error", message: `policy "${name}" is defined twice (policies/${name}.yaml and policies/${name}.yml); delete one` });
      continue;
    }
    names.add(name);
    const parsed = parseConfigFile(path, files.get(path) ?? "");
    if (!parsed.ok) {
      diagnostics.push(...parsed.diagnostics);
      continue;
    }
    const shapeProblem = notAMap(parsed.file, POLICY_KEYS);
    if (shapeProblem) {
      diagnostics.push(shapeProblem);
      continue;
    }
    const validated = validateAgainst(parsed.file, policySchema);
    if (!validated.ok) diagnostics.push(...validated.diagnostics);
    else policies.push({ name, file: parsed.file, policy: validated.value });
  }
  return { policies, names };
}

/**
 * Validates `stagegate.yaml` and `policies/*.yaml|yml` of a snapshot (path → content; other files
 * are used only to resolve references such as target files and AnalysisTemplates). Returns the
 * typed configuration and its warnings, or every diagnostic, sorted by file and position.
 */
export function loadConfiguration(files: ReadonlyMap<string, string>): LoadResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const config = loadConfigFile(files, diagnostics);
    const { policies, names } = loadPolicyFiles(files, diagnostics);
    const environments = config?.config.environments.map((e) => e.name) ?? [];
    if (config) diagnostics.push(...checkConfigSemantics(config.file, config.config, names, files));
    for (const p of policies) diagnostics.push(...checkPolicySemantics(p.file, p.policy, environments, files));
    if (config) {
      const used = new Set(config.config.environments.map((e) => e.policy ?? config.config.defaults.policy));
      for (const p of policies) {
        if (!used.has(p.name)) {
          diagnostics.push({ file: p.file.path, line: 1, column: 1, severity: "warning", message: `policy "${p.name}" is used by no environment (set policy: ${p.name} on an environment, or delete the file)` });
        }
      }
    }
    const sorted = sortDiagnostics(diagnostics);
    if (!config || sorted.some((d) => d.severity === "error")) return { ok: false, diagnostics: sorted };
    const loaded: LoadedConfig = { config: config.config, policies: new Map(policies.map((p) => [p.name, p.policy])) };
    return { ok: true, loaded, warnings: sorted };
  } catch (error) {
    // A bug in a check must still produce a diagnostic, never a stack trace for the user.
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, diagnostics: sortDiagnostics([...diagnostics, { file: CONFIG_FILE, line: 1, column: 1, severity: "error", message: `internal error while validating: ${message} (please report this)` }]) };
  }
}
