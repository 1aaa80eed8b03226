import { describe, expect, it } from "vitest";
import { formatDiagnostic, loadConfiguration } from "../../../src/core/config/index.js";
import { checkImageReferences } from "../../../src/core/config/image-check.js";
import type { ImageFinder } from "../../../src/core/config/image-check.js";
import { findImageReferences, isSameImage } from "../../../src/editors/index.js";
import { BASE_CONFIG, readTree, repo, TEMPLATE_DIR } from "./helpers.js";

/** A finder reading `image: <repo>[:tag][@digest]` lines: enough to exercise the check without the editors. */
const lineFinder: ImageFinder = (_file, content) => [...content.matchAll(/image: ([^\s:@]+)/g)].map((m) => ({ image: m[1] ?? "" }));

function check(extra: Record<string, string>, config = BASE_CONFIG, finder = lineFinder) {
  const files = repo(config, { "policies/default.yaml": "gates: []\n", ...extra });
  const result = loadConfiguration(files);
  if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
  return checkImageReferences(result.loaded, files, finder).map(formatDiagnostic);
}

describe("checkImageReferences", () => {
  it("is silent when some environment references the image", () => {
    expect(check({ "environments/staging/web.yaml": "image: ghcr.io/acme/web:1.0\n" })).toEqual([]);
  });

  it("warns at the service's image when no environment file references it", () => {
    expect(check({ "environments/dev/other.yaml": "image: ghcr.io/acme/other\n", "base/web.yaml": "image: ghcr.io/acme/web\n" })).toEqual([
      'stagegate.yaml:10:12: warning: service "web": no file under the environment paths (environments/dev, environments/staging) references image ghcr.io/acme/web; add it to an environment\'s manifests, fix the image name, or list the files under targets',
    ]);
  });

  it("uses the comparer it is given (normalised names)", () => {
    const files = repo(BASE_CONFIG.replace("ghcr.io/acme/web", "nginx"), { "policies/default.yaml": "gates: []\n", "environments/dev/a.yaml": "image: docker.io/library/nginx\n" });
    const result = loadConfiguration(files);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const normalise = (s: string) => (s.includes("/") ? s : `docker.io/library/${s}`);
    expect(checkImageReferences(result.loaded, files, lineFinder)).toHaveLength(1);
    expect(checkImageReferences(result.loaded, files, lineFinder, (a, b) => normalise(a) === normalise(b))).toEqual([]);
  });

  it("skips services with explicit targets and survives a finder that throws", () => {
    const config = `${BASE_CONFIG}    targets:\n      dev:\n        - file: environments/dev/web.txt\n`;
    const throwing: ImageFinder = () => {
      throw new Error("boom");
    };
    expect(check({ "environments/dev/web.txt": "x" }, config, throwing)).toEqual([]);
  });
});

describe("checkImageReferences with the real editors", () => {
  it("finds every template service and flags one whose image appears nowhere", () => {
    const files = readTree(TEMPLATE_DIR);
    const result = loadConfiguration(files);
    if (!result.ok) throw new Error(result.diagnostics.map(formatDiagnostic).join("\n"));
    expect(checkImageReferences(result.loaded, files, findImageReferences, isSameImage)).toEqual([]);
    const config = files.get("stagegate.yaml")!.replace("image: ghcr.io/acme/search", "image: ghcr.io/acme/serch");
    const changed = new Map(files).set("stagegate.yaml", config);
    const reloaded = loadConfiguration(changed);
    if (!reloaded.ok) throw new Error("template with a renamed image should still load");
    expect(checkImageReferences(reloaded.loaded, changed, findImageReferences, isSameImage).map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^stagegate\.yaml:\d+:12: warning: service "search": no file under the environment paths .* references image ghcr\.io\/acme\/serch;/),
    ]);
  });
});
