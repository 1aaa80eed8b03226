import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { formatDiagnostic, loadConfiguration } from "../../../src/core/config/index.js";
import type { Diagnostic } from "../../../src/core/config/index.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const TEMPLATE_DIR = join(ROOT, "environments-template");

/** Every file below `dir`, keyed by its `/`-separated path relative to `dir`. */
export function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path).split("\\").join("/"), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

/** The diagnostics of a load, success or not. */
export function diagnosticsOf(files: ReadonlyMap<string, string>): Diagnostic[] {
  const result = loadConfiguration(files);
  return result.ok ? result.warnings : result.diagnostics;
}

/** `file:line:col: message` lines, as `stagegate validate` prints them. */
export function linesOf(files: ReadonlyMap<string, string>): string[] {
  return diagnosticsOf(files).map(formatDiagnostic);
}

/** A small valid configuration the broken cases start from. */
export const BASE_CONFIG = `version: 1
environments:
  - name: dev
    path: environments/dev
  - name: staging
    path: environments/staging
    from: [dev]
services:
  - name: web
    image: ghcr.io/acme/web
`;

export const BASE_POLICY = `gates:
  - gate: upstream
`;

/** A repo map: stagegate.yaml (undefined: absent) plus files. */
export function repo(config: string | undefined, files: Record<string, string> = { "policies/default.yaml": BASE_POLICY }): Map<string, string> {
  const map = new Map<string, string>(Object.entries(files));
  if (config !== undefined) map.set("stagegate.yaml", config);
  return map;
}

/** The base repo with one policy file replaced. */
export function withPolicy(policy: string, name = "default"): Map<string, string> {
  return repo(BASE_CONFIG, { [`policies/${name}.yaml`]: policy });
}
