/**
 * Resolving intake requests against the configuration: image → service, the target environments and,
 * for `/stagegate promote … <tag>`, the digest deployed upstream under that tag. Pure.
 */
import { getEntryEnvironments, getEnvironment, getService, type LoadedConfig } from "../config/loaded.js";
import type { Environment, Service } from "../config/config-schema.js";
import { NotFoundError, TerminalError } from "../errors.js";
import { findImageReferences, isSameImage } from "../../editors/index.js";
import { listFilesUnder, type RepoSnapshot } from "../snapshot.js";

function names(items: { name: string }[]): string {
  return items.map((i) => i.name).join(", ") || "(none)";
}

/** The service of a name, or NotFoundError listing the known ones. */
export function requireService(loaded: LoadedConfig, name: string): Service {
  const service = getService(loaded, name);
  if (!service) throw new NotFoundError(`unknown service "${name}"; stagegate.yaml declares: ${names(loaded.config.services)}`, { service: name });
  return service;
}

/** The service whose image is `image`, or NotFoundError. */
export function findServiceByImage(loaded: LoadedConfig, image: string): Service {
  const service = loaded.config.services.find((s) => isSameImage(s.image, image));
  if (!service) throw new NotFoundError(`no service in stagegate.yaml has image ${image}; declared images: ${loaded.config.services.map((s) => s.image).join(", ") || "(none)"}`, { image });
  return service;
}

/** The requested environment, or the pipeline's entry environments when none is named. */
export function getTargetEnvironments(loaded: LoadedConfig, requested: string | undefined): Environment[] {
  if (requested === undefined) return getEntryEnvironments(loaded);
  const env = getEnvironment(loaded, requested);
  if (!env) throw new NotFoundError(`unknown environment "${requested}"; stagegate.yaml declares: ${names(loaded.config.environments)}`, { environment: requested });
  return [env];
}

/**
 * The digest deployed with `tag` in the environment's upstream environments (or, for an entry
 * environment, in the environment itself). Refuses an ambiguous tag (two digests).
 */
export function resolveTagDigest(snapshot: RepoSnapshot, loaded: LoadedConfig, service: Service, env: Environment, tag: string): string {
  const sources = env.from.length > 0 ? env.from.flatMap((n) => getEnvironment(loaded, n) ?? []) : [env];
  const digests = new Set<string>();
  for (const source of sources) {
    for (const path of listFilesUnder(snapshot, source.path)) {
      for (const ref of findImageReferences(path, snapshot.files.get(path) ?? "")) {
        if (ref.tag === tag && ref.digest && isSameImage(ref.image, service.image)) digests.add(ref.digest);
      }
    }
  }
  const where = sources.map((s) => s.name).join(", ");
  if (digests.size === 0) throw new NotFoundError(`tag ${tag} of ${service.name} is not deployed in ${where}; name a digest instead (sha256:…)`, { tag });
  if (digests.size > 1) throw new TerminalError(`tag ${tag} of ${service.name} maps to several digests in ${where} (${[...digests].join(", ")}); name the digest`, { tag });
  return [...digests][0]!;
}
