// The audit's fast path for a declared promotion: a file whose only changes are the declared digest
// swap and the release's tag written beside it is not parsed again; any other change is.
import { describe, expect, it } from "vitest";
import { isDeclaredSwap } from "../../../src/adapters/git/digest-swap.js";

const D = (n: number) => `sha256:${String(n).padStart(64, "0")}`;
const swap = (before: string, after: string) => isDeclaredSwap(Buffer.from(before), Buffer.from(after), D(1), D(2));
const kustomize = (digest: number, tag: string, web = "ghcr.io/acme/web", extra = "") => `images:\n  - name: ghcr.io/acme/api\n    newTag: ${tag}\n    digest: ${D(digest)}\n  - name: ${web}\n    newTag: v9\n    digest: ${D(50)}\n${extra}`;

describe("isDeclaredSwap", () => {
  it("accepts the swap alone, or with the tag written beside it (kustomize, Helm values, name:tag@digest)", () => {
    expect(swap(kustomize(1, "v1"), kustomize(2, "v1"))).toBe(true);
    expect(swap(kustomize(1, "v1"), kustomize(2, "v1.1.0-rc.1"))).toBe(true);
    expect(swap(`image:\n  repository: ghcr.io/acme/api\n  tag: "1.0"\n  digest: ${D(1)}\n`, `image:\n  repository: ghcr.io/acme/api\n  tag: "1.1"\n  digest: ${D(2)}\n`)).toBe(true);
    expect(swap(`        image: ghcr.io/acme/api:v1@${D(1)}\n`, `        image: ghcr.io/acme/api:v2@${D(2)}\n`)).toBe(true);
    expect(swap(`image: registry:5000/acme/api:v1@${D(1)}\n`, `image: registry:5000/acme/api:v2@${D(2)}\n`)).toBe(true);
  });

  it("refuses anything that can change what runs: a name, a newName, another digest, a line added or removed, no swap at all", () => {
    expect(swap(kustomize(1, "v1"), kustomize(2, "v2", "ghcr.io/evil/web"))).toBe(false);
    expect(swap(kustomize(1, "v1"), kustomize(2, "v2", undefined, "  - name: ghcr.io/acme/api\n    newName: evil.io/api\n"))).toBe(false);
    expect(swap(kustomize(1, "v1"), kustomize(2, "v2").replace(D(50), D(51)))).toBe(false);
    expect(swap(kustomize(1, "v1"), kustomize(1, "v2"))).toBe(false);
    expect(swap(`image: ghcr.io/acme/api:v1@${D(1)}\n`, `image: ghcr.io/evil/api:v2@${D(2)}\n`)).toBe(false);
    expect(swap(`newTag: v1\ndigest: ${D(1)}\n`, `newName: v1\ndigest: ${D(2)}\n`)).toBe(false);
    // A tag line cannot carry a digest in: its value is a tag, not `sha256:…`.
    expect(swap(`tag: v1\ndigest: ${D(1)}\n`, `tag: sha256:${"0".repeat(64)}\ndigest: ${D(2)}\n`)).toBe(false);
  });
});
