/**
 * The layouts `stagegate.yaml` described over the audited history. The audit follows digests with the
 * configuration at the tip, plus every environment folder and service image an earlier version named:
 * a service retired since, or an environment whose folder moved, still ran what its files said, and a
 * change to it (a hand-made push included) must show in the audit rather than vanish with the config.
 */
import { parse as parseYaml } from "yaml";
import type { TrackedEnvironment, TrackedService } from "../../core/audit/digest-tracker.js";
import { normaliseImage } from "../../editors/image-ref.js";
import type { GitCli } from "./git-cli.js";

export interface Layout {
  environments: TrackedEnvironment[];
  services: TrackedService[];
}

const isText = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 500;

/**
 * Environment folders and service images of one version of `stagegate.yaml`, read leniently: an older
 * version may not pass today's schema, and only these two lists matter here. Undefined when the text
 * is not YAML or names neither.
 */
export function layoutOf(text: string): Layout | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== "object" || doc === null) return undefined;
  const { environments, services } = doc as { environments?: unknown; services?: unknown };
  const list = (value: unknown): Record<string, unknown>[] => (Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null) : []);
  const layout = {
    environments: list(environments).flatMap((e) => (isText(e.name) && isText(e.path) ? [{ name: e.name, path: e.path }] : [])),
    services: list(services).flatMap((s) => (isText(s.name) && isText(s.image) ? [{ name: s.name, image: s.image }] : [])),
  };
  return layout.environments.length + layout.services.length > 0 ? layout : undefined;
}

/**
 * The tip's layout followed by what earlier versions (blob ids of `stagegate.yaml` in the history) add
 * to it: folders and images not named at the tip. The tip comes first, so a service renamed or an
 * environment folder renamed since goes by its current name. Unreadable versions are skipped with a
 * warning; `except` (the tip's text) is not read again; `read` counts the versions that were.
 */
export async function historyLayout(git: GitCli, tip: Layout, versions: ReadonlySet<string>, warnings: string[], except?: string): Promise<Layout & { read: number }> {
  const layout = { environments: [...tip.environments], services: [...tip.services], read: 0 };
  if (versions.size === 0) return layout;
  const texts = await git.readBlobs([...versions]);
  const key = (a: string, b: string) => `${a}\u0000${b}`;
  const environments = new Set(layout.environments.map((e) => key(e.name, e.path.replace(/\/+$/, ""))));
  // By image: a service renamed since keeps its current name (the tip's entry claims the image first).
  const services = new Set(layout.services.map((s) => normaliseImage(s.image)));
  let unreadable = 0;
  for (const oid of versions) {
    const text = texts.get(oid);
    if (text !== undefined && text === except) continue; // the tip's own text, already judged
    const version = text === undefined ? undefined : layoutOf(text);
    if (!version) {
      unreadable++;
      continue;
    }
    layout.read++;
    for (const e of version.environments) {
      const k = key(e.name, e.path.replace(/\/+$/, ""));
      if (environments.has(k)) continue;
      environments.add(k);
      layout.environments.push(e);
    }
    for (const s of version.services) {
      const k = normaliseImage(s.image);
      if (services.has(k)) continue;
      services.add(k);
      layout.services.push(s);
    }
  }
  if (unreadable > 0) warnings.push(`${unreadable} earlier version${unreadable === 1 ? "" : "s"} of stagegate.yaml could not be read: the environments and services only ${unreadable === 1 ? "it" : "they"} named are not followed`);
  return layout;
}
