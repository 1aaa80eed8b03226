/**
 * Maps a `registry_package` webhook (GHCR publish) to an image, digest and tag. Pure: the handler passes
 * the payload's registry_package object; this decides whether it is a container image version with a
 * digest, and which image repository it names.
 */
import { z } from "zod";

const registryPackageSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().optional(),
  package_type: z.string(),
  owner: z.object({ login: z.string() }),
  registry: z.object({ url: z.string().optional(), name: z.string().optional() }).nullable().optional(),
  package_version: z
    .object({
      version: z.string(),
      container_metadata: z
        .object({ tag: z.object({ name: z.string().optional(), digest: z.string().optional() }).nullable().optional() })
        .nullable()
        .optional(),
    })
    .nullable(),
});

export type RegistryArtifact = { ok: true; image: string; digest: string; tag?: string } | { ok: false; reason: string };

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * The image (`<registry>/<owner>/<name>`, lowercase), digest and tag of a published container version.
 * `registryHost` is ghcr.io on github.com (containers.<host> style registries on GHES are passed in).
 */
export function parseRegistryPackage(registryPackage: unknown, registryHost = "ghcr.io"): RegistryArtifact {
  const parsed = registryPackageSchema.safeParse(registryPackage);
  if (!parsed.success) return { ok: false, reason: `unexpected registry_package payload: ${parsed.error.issues[0]?.message ?? "invalid"}` };
  const pkg = parsed.data;
  if (pkg.package_type.toLowerCase() !== "container" && pkg.package_type.toLowerCase() !== "docker") return { ok: false, reason: `package type ${pkg.package_type} is not a container image` };
  const version = pkg.package_version;
  if (!version) return { ok: false, reason: "no package_version in the payload" };
  // For containers, `version` is the manifest digest; the tag's digest is the same value when present.
  const digest = [version.version, version.container_metadata?.tag?.digest].find((d): d is string => typeof d === "string" && DIGEST.test(d));
  if (!digest) return { ok: false, reason: `package version ${version.version} is not a sha256 digest` };
  const tag = version.container_metadata?.tag?.name || undefined;
  const owner = (pkg.namespace || pkg.owner.login).toLowerCase();
  const image = `${registryHost}/${owner}/${pkg.name.toLowerCase()}`;
  return tag ? { ok: true, image, digest, tag } : { ok: true, image, digest };
}
