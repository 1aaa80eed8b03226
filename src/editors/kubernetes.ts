/**
 * Kubernetes workloads: every `image` of a container (containers, initContainers,
 * ephemeralContainers, a singular `container`), wherever the pod spec sits (Deployment,
 * CronJob jobTemplate, DeploymentConfig, CRDs, strategic-merge patches, Helm values holding
 * pod specs), plus JSON 6902 patch operations that add containers or images.
 */
import { isMap, isScalar, isSeq } from "yaml";
import type { Editor, ImageSite } from "./editor.js";
import { inlineSite } from "./editor.js";
import { getScalar, getValue, resolveNode, scalarText, visitMaps } from "./yaml-file.js";
import type { YamlDocument, YamlFile } from "./yaml-file.js";

const CONTAINER_LISTS = new Set(["containers", "initContainers", "ephemeralContainers"]);
const PATCH_PATH = /\/(?:containers|initContainers|ephemeralContainers)(?:\/(?:-|\d+))?(?:\/image)?$/;

/** Container maps below `root` (aliases followed). */
export function findContainers(doc: YamlDocument, root: unknown): unknown[] {
  const containers: unknown[] = [];
  visitMaps(doc, root, (map) => {
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      const value = resolveNode(doc, pair.value);
      if (typeof key !== "string") continue;
      if (CONTAINER_LISTS.has(key) && isSeq(value)) for (const item of value.items) containers.push(resolveNode(doc, item));
      else if (key === "container" && isMap(value)) containers.push(value);
    }
  });
  return containers;
}

function jsonPatchSites(file: YamlFile, docIndex: number): ImageSite[] {
  const doc = file.docs[docIndex];
  const root = doc?.contents;
  if (!doc || !isSeq(root)) return [];
  const sites: ImageSite[] = [];
  for (const item of root.items) {
    const path = scalarText(getScalar(doc, resolveNode(doc, item), "path"));
    if (!path || !PATCH_PATH.test(path)) continue;
    const value = getValue(doc, resolveNode(doc, item), "value");
    if (path.endsWith("/image") && isScalar(value)) {
      const site = inlineSite(file, kubernetesEditor.name, docIndex, value);
      if (site) sites.push(site);
      continue;
    }
    const containers = isSeq(value) ? value.items.map((c) => resolveNode(doc, c)) : [value];
    for (const container of containers) {
      const image = getScalar(doc, container, "image");
      const site = image && inlineSite(file, kubernetesEditor.name, docIndex, image);
      if (site) sites.push(site);
    }
  }
  return sites;
}

export const kubernetesEditor: Editor = {
  name: "kubernetes",
  detect: (file) => file.docs.length > 0,
  find(file) {
    const sites: ImageSite[] = [];
    file.docs.forEach((doc, docIndex) => {
      for (const container of findContainers(doc, doc.contents)) {
        const image = getScalar(doc, container, "image");
        const site = image && inlineSite(file, kubernetesEditor.name, docIndex, image);
        if (site) sites.push(site);
      }
      sites.push(...jsonPatchSites(file, docIndex));
    });
    return sites;
  },
};
