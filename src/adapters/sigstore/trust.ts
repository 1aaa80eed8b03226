import { readFileSync } from "node:fs";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toTrustMaterial, type TrustMaterial } from "@sigstore/verify";

/**
 * Trust material from a Sigstore `trusted_root.json` (media type
 * `application/vnd.dev.sigstore.trustedroot+json;version=0.1`): CAs, transparency logs, CT logs and
 * timestamp authorities. For GitHub artifact attestations use the output of `gh attestation
 * trusted-root` (public-good Sigstore and GitHub's own instance), refreshed when Sigstore rotates keys.
 * Throws when the document is not a trusted root.
 */
export function loadTrustMaterial(json: unknown): TrustMaterial {
  const record = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : undefined;
  const mediaType = record?.["mediaType"];
  if (typeof mediaType !== "string" || !mediaType.startsWith("application/vnd.dev.sigstore.trustedroot")) {
    throw new Error(`not a Sigstore trusted root (mediaType ${JSON.stringify(mediaType)})`);
  }
  const root = TrustedRoot.fromJSON(json);
  if (root.certificateAuthorities.length === 0 && root.tlogs.length === 0) throw new Error("the trusted root lists no certificate authority and no transparency log");
  return toTrustMaterial(root);
}

/**
 * `gh attestation trusted-root` prints one trusted root per line (JSON Lines: public-good, then
 * GitHub's); a single JSON document works too. The roots are merged into one trust material.
 */
export function parseTrustedRoots(text: string): TrustMaterial {
  const trimmed = text.trim();
  const docs: unknown[] = trimmed.startsWith("[") ? (JSON.parse(trimmed) as unknown[]) : trimmed.split(/\r?\n/).filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as unknown);
  if (docs.length === 0) throw new Error("no trusted root given");
  const materials = docs.map(loadTrustMaterial);
  return {
    certificateAuthorities: materials.flatMap((m) => m.certificateAuthorities),
    timestampAuthorities: materials.flatMap((m) => m.timestampAuthorities),
    tlogs: materials.flatMap((m) => m.tlogs),
    ctlogs: materials.flatMap((m) => m.ctlogs),
    publicKey: materials[0]!.publicKey,
  };
}

/** Reads a trusted root file (JSON or JSON Lines, e.g. `gh attestation trusted-root > trusted_root.jsonl`). */
export function readTrustedRootFile(path: string, read: (path: string) => string = (p) => readFileSync(p, "utf8")): TrustMaterial {
  return parseTrustedRoots(read(path));
}
