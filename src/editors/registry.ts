/**
 * The one place editors are registered. Every editor whose `detect` matches runs on the file;
 * their sites are merged (one site per scalar: the first editor listed wins), so a file that
 * mixes formats (an Argo CD Application with `valuesObject`, a kustomization with Flux
 * markers) is edited in one spliced result.
 */
import type { Node } from "yaml";
import { argocdEditor } from "./argocd.js";
import type { Editor, ImageSite, SiteQuery } from "./editor.js";
import { fieldsEditor } from "./fields.js";
import { fluxEditor } from "./flux.js";
import { helmValuesEditor } from "./helm-values.js";
import { kubernetesEditor } from "./kubernetes.js";
import { kustomizeEditor } from "./kustomize.js";
import type { YamlFile } from "./yaml-file.js";

/** Registered editors, most specific first (explicit fields, then markers, then formats). */
export const editors: readonly Editor[] = [fieldsEditor, fluxEditor, kustomizeEditor, argocdEditor, helmValuesEditor, kubernetesEditor];

/**
 * All sites of a file, deduplicated by their first scalar. When the query names explicit
 * `fields` that resolve in this file, only those sites are returned.
 */
export function collectSites(file: YamlFile, query?: SiteQuery): ImageSite[] {
  const seen = new Set<Node>();
  const sites: ImageSite[] = [];
  for (const editor of editors) {
    if (!editor.detect(file)) continue;
    for (const site of editor.find(file, query)) {
      const key = site.nodes[0];
      if (key !== undefined && seen.has(key)) continue;
      if (key !== undefined) seen.add(key);
      sites.push(site);
    }
  }
  return sites.some((site) => site.forced) ? sites.filter((site) => site.forced) : sites;
}
