import { CONFIG_FILE } from "../snapshot.js";
import type { Diagnostic, LoadedConfig } from "./loaded.js";
import { diagnosticAt, parseConfigFile } from "./locate.js";
import { isPathInside, normalizeRepoPath } from "./semantic.js";

/** The part of an editor's image reference this check needs (see src/editors `ImageReference`). */
export interface FoundImage {
  /** Repository the reference names, e.g. ghcr.io/acme/checkout. */
  image: string;
}

/** Finds the image references of one file (src/editors `findImageReferences`). */
export type ImageFinder = (fileName: string, content: string) => readonly FoundImage[];

/** True when two image names denote the same repository (src/editors `isSameImage`). */
export type ImageComparer = (a: string, b: string) => boolean;

/**
 * Warns about services whose image no file under any environment path references: promoting them
 * would change nothing. The finder is a parameter so the check stays pure and the editors stay
 * the single authority on what counts as a reference. Services with explicit `targets` are
 * skipped (their files are checked by {@link loadConfiguration}).
 */
export function checkImageReferences(
  loaded: LoadedConfig,
  files: ReadonlyMap<string, string>,
  findRefs: ImageFinder,
  isSame: ImageComparer = (a, b) => a === b,
): Diagnostic[] {
  const envPaths = loaded.config.environments.map((e) => normalizeRepoPath(e.path));
  const images: string[] = [];
  for (const [path, content] of files) {
    if (!envPaths.some((envPath) => isPathInside(normalizeRepoPath(path), envPath))) continue;
    try {
      for (const ref of findRefs(path, content)) images.push(ref.image);
    } catch {
      // A finder that chokes on one file must not hide the others; that file simply has no references.
    }
  }
  const unreferenced = loaded.config.services
    .map((service, index) => ({ service, index }))
    .filter(({ service }) => Object.keys(service.targets).length === 0 && !images.some((image) => isSame(image, service.image)));
  if (unreferenced.length === 0) return [];
  const parsed = parseConfigFile(CONFIG_FILE, files.get(CONFIG_FILE) ?? "");
  const searched = loaded.config.environments.map((e) => e.path).join(", ");
  return unreferenced.map(({ service, index }) => {
    const message = `service "${service.name}": no file under the environment paths (${searched}) references image ${service.image}; add it to an environment's manifests, fix the image name, or list the files under targets`;
    return parsed.ok
      ? diagnosticAt(parsed.file, ["services", index, "image"], message, "warning")
      : { file: CONFIG_FILE, line: 1, column: 1, message, severity: "warning" as const };
  });
}
