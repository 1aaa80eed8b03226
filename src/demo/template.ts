import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join, relative, sep } from "node:path";

/** environments-template/ at the root of the package (works from src/ under tsx and from dist/). */
export const TEMPLATE_DIR = fileURLToPath(new URL("../../environments-template/", import.meta.url));

/** Every file of a folder, by path relative to it (forward slashes). */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out.set(relative(dir, full).split(sep).join("/"), await readFile(full, "utf8"));
  }
  return out;
}

/** Replaces `from` in `text`, failing loudly when the template no longer has it (the demo must not silently drift). */
function replaceOnce(text: string, from: string | RegExp, to: string, file: string): string {
  const next = text.replace(from, to);
  if (next === text) throw new Error(`demo: environments-template/${file} changed shape (could not find ${String(from)})`);
  return next;
}

/**
 * The template as the demo uses it. Three changes, all announced in the narration:
 * health URLs point at the demo's loopback server (with the digest in the query, so one build can be
 * broken and the next fixed) with private network allowed; prod's metrics gate is dropped (no
 * Prometheus here); prod health checks 3 times instead of 20 so the failure shows quickly.
 */
export function adaptTemplate(files: Map<string, string>, healthBase: string): Map<string, string> {
  const out = new Map(files);
  for (const name of ["policies/staging.yaml", "policies/prod.yaml"]) {
    let text = out.get(name);
    if (text === undefined) throw new Error(`demo: environments-template/${name} is missing`);
    text = replaceOnce(text, /( +)url: https:\/\/status\.acme\.example\/\{\{env\}\}\/\{\{service\}\}\/ready\n/, `$1url: ${healthBase}/{{env}}/{{service}}/ready?digest={{digest}}\n$1allowPrivateNetwork: true\n`, name);
    if (name === "policies/prod.yaml") {
      text = replaceOnce(text, / {2}- gate: metrics\n(?: {4}.*\n)*/, "", name);
      text = replaceOnce(text, /gates: \[soak, window, metrics, approvals\]/, "gates: [soak, window, approvals]", name);
      text = replaceOnce(text, /attempts: 20/, "attempts: 3", name);
    }
    out.set(name, text);
  }
  return out;
}
