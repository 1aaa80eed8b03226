/**
 * Flux image-automation setter markers: `value # {"$imagepolicy": "ns:name[:tag|:name|:digest]"}`.
 *
 * A marker without suffix marks a whole reference: it is bumped like a container image. A
 * `:digest` marker gets the digest. `:tag` and `:name` markers only identify: the field they
 * sit on is edited by the format's own editor (kustomize inserts `digest`, Helm values carry it
 * in `tag`). A marker is selected when its value names the requested image, when another
 * marker of the same policy in the file does (`:name` or whole reference), or when the request
 * lists the policy in `imagePolicies`.
 */
import { isScalar, visit } from "yaml";
import type { Node, Scalar } from "yaml";
import type { Editor, ImageSite } from "./editor.js";
import { inlineSite, makeReference } from "./editor.js";
import { normaliseImage } from "./image-ref.js";
import type { YamlFile } from "./yaml-file.js";

const MARKER = /^[ \t]*#[ \t]*(\{.*"\$imagepolicy".*\})[ \t]*\r?$/;
const NAME = "flux";

/** A parsed setter marker. `policy` is `ns:name`; `field` is undefined for a whole reference. */
export interface SetterMarker { policy: string; field?: "tag" | "name" | "digest" }

/** The setter marker trailing `node` on its line, if any. */
export function markerOf(file: YamlFile, node: Node): SetterMarker | undefined {
  const end = node.range?.[1];
  if (end === undefined || (isScalar(node) && node.type?.startsWith("BLOCK"))) return undefined;
  const lineEnd = file.content.indexOf("\n", end);
  const match = MARKER.exec(file.content.slice(end, lineEnd < 0 ? undefined : lineEnd));
  if (!match?.[1]) return undefined;
  let value: unknown;
  try {
    value = (JSON.parse(match[1]) as Record<string, unknown>)["$imagepolicy"];
  } catch {
    return undefined;
  }
  if (typeof value !== "string") return undefined;
  const parts = value.split(":");
  const field = parts[2];
  if (parts.length === 2) return { policy: value };
  if (parts.length === 3 && (field === "tag" || field === "name" || field === "digest")) return { policy: `${parts[0]}:${parts[1]}`, field };
  return undefined;
}

export const fluxEditor: Editor = {
  name: NAME,
  detect: (file) => file.content.includes("$imagepolicy"),
  find(file) {
    const marked: Array<{ docIndex: number; node: Scalar; marker: SetterMarker }> = [];
    file.docs.forEach((doc, docIndex) => {
      visit(doc, {
        Scalar(key, node) {
          if (key === "key") return;
          const marker = markerOf(file, node);
          if (marker) marked.push({ docIndex, node, marker });
        },
      });
    });
    const policyImages = new Map<string, string>();
    for (const { node, marker } of marked) {
      if ((marker.field === undefined || marker.field === "name") && typeof node.value === "string") policyImages.set(marker.policy, node.value);
    }
    const sites: ImageSite[] = [];
    for (const { docIndex, node, marker } of marked) {
      if (marker.field === undefined) {
        const site = inlineSite(file, NAME, docIndex, node);
        if (site) sites.push(site);
      } else if (marker.field === "digest") {
        const image = policyImages.get(marker.policy);
        const old = typeof node.value === "string" ? node.value : undefined;
        sites.push({
          reference: makeReference(file, NAME, docIndex, node, { image: image ? normaliseImage(image) : marker.policy, raw: `${marker.policy}:digest=${old ?? ""}`, digest: old }),
          names: image ? [image] : [],
          nodes: [node],
          plan: (request) => (old === request.digest ? [] : [{ kind: "set", docIndex, node, value: request.digest, before: `${image ?? marker.policy}@${old ?? ""}`, after: `${image ?? marker.policy}@${request.digest}` }]),
        });
      }
    }
    return sites;
  },
};
