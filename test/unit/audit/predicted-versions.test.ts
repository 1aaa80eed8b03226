import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isExactSwap } from "../../../src/adapters/git/digest-swap.js";
import { blobId, contentOf, resolveVersions, retag, swapBytes, swapInPlace, workingOf, type FileStep } from "../../../src/adapters/git/predicted-versions.js";

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;
const kustomization = (api: string, web = digest(900), tag?: string) =>
  Buffer.from(`images:\n  - name: ghcr.io/acme/api\n${tag ? `    newTag: ${tag}\n` : ""}    digest: ${api}\n  - name: ghcr.io/acme/web\n    digest: ${web}\n`);

/** git's own object id of these bytes, in a repository of that object format (git 2.39's hash-object has no --object-format). */
const repos = { sha1: "", sha256: "" };
const gitHash = (bytes: Buffer, format: "sha1" | "sha256" = "sha1") => {
  if (!repos[format]) {
    repos[format] = join(mkdtempSync(join(tmpdir(), "stagegate-hash-")), "repo");
    execFileSync("git", ["init", "-q", `--object-format=${format}`, repos[format]]);
  }
  return execFileSync("git", ["hash-object", "--stdin"], { cwd: repos[format], input: bytes }).toString().trim();
};
afterAll(() => {
  for (const repo of Object.values(repos)) if (repo) rmSync(join(repo, ".."), { recursive: true, force: true });
});

/** A history of one path: versions with the swap each declares, and a reader that counts what it is asked for. */
function history(versions: { bytes: Buffer; swap?: [string, string]; tag?: string }[], format: "sha1" | "sha256" = "sha1") {
  const store = new Map(versions.map((v) => [blobId(v.bytes, format === "sha1" ? 40 : 64), v.bytes]));
  const steps: FileStep[] = versions.map((v) => ({ path: "envs/prod/kustomization.yaml", oid: blobId(v.bytes, format === "sha1" ? 40 : 64), ...(v.swap ? { swap: { previous: v.swap[0], digest: v.swap[1], ...(v.tag ? { tag: v.tag } : {}) } } : {}) }));
  const requests: string[][] = [];
  const blobs = new Map<string, Buffer>();
  const read = async (oids: string[]) => {
    requests.push(oids);
    for (const oid of oids) {
      const bytes = store.get(oid);
      if (bytes) blobs.set(oid, Buffer.from(bytes));
    }
  };
  return { steps, blobs, read, requests, store };
}

describe("blob ids", () => {
  it("hashes bytes as git does, SHA-1 and SHA-256", () => {
    const bytes = kustomization(digest(1));
    expect(blobId(bytes, 40)).toBe(gitHash(bytes));
    expect(blobId(bytes, 64)).toBe(gitHash(bytes, "sha256"));
    expect(blobId(Buffer.alloc(0), 40)).toBe("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  });
});

describe("swapBytes", () => {
  it("replaces every occurrence, and is what the exact-swap check accepts", () => {
    const before = Buffer.from(`a: ${digest(1)}\nb: ${digest(1)}\nc: ${digest(2)}\n`);
    const after = swapBytes(before, digest(1), digest(3))!;
    expect(after.toString()).toBe(`a: ${digest(3)}\nb: ${digest(3)}\nc: ${digest(2)}\n`);
    expect(isExactSwap(before, after, digest(1), digest(3))).toBe(true);
    expect(before.toString()).toContain(digest(1)); // not changed in place
  });

  it("writes a swap into a working copy, never into the version it was made from", () => {
    const before = kustomization(digest(1));
    const copy = Buffer.from(before);
    const working = workingOf(before);
    expect(swapInPlace(working, digest(5), digest(6))).toBe(false); // nothing to swap: nothing copied or written
    expect(swapInPlace(working, digest(1), digest(2))).toBe(true);
    expect(swapInPlace(working, digest(2), digest(3))).toBe(true);
    expect(contentOf(working).equals(kustomization(digest(3)))).toBe(true);
    expect(blobId(contentOf(working), 40)).toBe(gitHash(kustomization(digest(3))));
    expect(before.equals(copy)).toBe(true);
  });

  it("refuses what the exact-swap check refuses: no occurrence, the same digest, other lengths", () => {
    const before = kustomization(digest(1));
    expect(swapBytes(before, digest(5), digest(6))).toBeUndefined();
    expect(swapBytes(before, digest(1), digest(1))).toBeUndefined();
    expect(swapBytes(before, digest(1), "sha256:abc")).toBeUndefined();
    expect(swapBytes(before, "", digest(1))).toBeUndefined();
  });
});

describe("retag", () => {
  it("writes the tag of the image block around the new digest: the line above, else below, not across list items", () => {
    const above = Buffer.from(`images:\n  - name: a\n    newTag: v1\n    digest: ${digest(2)}\n  - name: b\n    newTag: v9\n    digest: ${digest(3)}\n`);
    expect(retag(above, digest(2), "v2")?.toString()).toBe(`images:\n  - name: a\n    newTag: v2\n    digest: ${digest(2)}\n  - name: b\n    newTag: v9\n    digest: ${digest(3)}\n`);
    const below = Buffer.from(`image:\n  repository: a\n  digest: ${digest(2)}\n  tag: "1.0"\n`);
    expect(retag(below, digest(2), "1.1")?.toString()).toBe(`image:\n  repository: a\n  digest: ${digest(2)}\n  tag: "1.1"\n`);
    // b's tag is in the next list item: not a's.
    const none = Buffer.from(`images:\n  - name: a\n    digest: ${digest(2)}\n  - name: b\n    newTag: v9\n`);
    expect(retag(none, digest(2), "v2")).toBeUndefined();
  });

  it("writes the tag of a name:tag@digest reference, and refuses what is no tag", () => {
    const inline = Buffer.from(`image: ghcr.io/acme/api:v1@${digest(2)}\n`);
    expect(retag(inline, digest(2), "v2")?.toString()).toBe(`image: ghcr.io/acme/api:v2@${digest(2)}\n`);
    expect(retag(inline, digest(2), "v1")).toBeUndefined(); // nothing changes
    expect(retag(inline, digest(2), "v2 evil")).toBeUndefined();
    expect(retag(inline, digest(2), "")).toBeUndefined();
  });
});

describe("resolveVersions", () => {
  it("reads the first version only when every later one is its declared swap", async () => {
    const versions: { bytes: Buffer; swap?: [string, string] }[] = [{ bytes: kustomization(digest(1)) }];
    for (let i = 2; i <= 20; i++) versions.push({ bytes: kustomization(digest(i)), swap: [digest(i - 1), digest(i)] });
    const h = history(versions);
    const predicted = await resolveVersions(h.steps, h.blobs, h.read);
    expect(h.requests).toEqual([[h.steps[0]!.oid]]);
    expect([...predicted].sort((a, b) => a - b)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    // Predicted versions keep no bytes: the replay writes the same swaps into its own copy of the first.
    expect([...h.blobs.keys()]).toEqual([h.steps[0]!.oid]);
    const first = Buffer.from(h.blobs.get(h.steps[0]!.oid!)!);
    const working = workingOf(h.blobs.get(h.steps[0]!.oid!)!);
    for (const step of h.steps.slice(1)) {
      expect(swapInPlace(working, step.swap!.previous, step.swap!.digest)).toBe(true);
      expect(contentOf(working).equals(h.store.get(step.oid!)!)).toBe(true);
    }
    expect(h.blobs.get(h.steps[0]!.oid!)!.equals(first)).toBe(true); // the version read is never written
  });

  it("reads a version whose bytes are not the declared swap (a hint that lies, a hand edit beside it), and predicts again after it", async () => {
    const h = history([
      { bytes: kustomization(digest(1)) },
      { bytes: kustomization(digest(2)), swap: [digest(1), digest(2)] },
      // Declares api 2 → 3, but web changed too: the prediction's hash differs, the version is read.
      { bytes: kustomization(digest(3), digest(901)), swap: [digest(2), digest(3)] },
      { bytes: kustomization(digest(4), digest(901)), swap: [digest(3), digest(4)] },
      // Declares a swap that is not there at all (a forged hint): read.
      { bytes: kustomization(digest(5), digest(901)), swap: [digest(77), digest(5)] },
      { bytes: kustomization(digest(6), digest(901)), swap: [digest(5), digest(6)] },
    ]);
    const predicted = await resolveVersions(h.steps, h.blobs, h.read);
    expect(h.requests).toEqual([[h.steps[0]!.oid], [h.steps[2]!.oid], [h.steps[4]!.oid]]);
    expect([...predicted].sort()).toEqual([1, 3, 5]);
    expect([...h.blobs.keys()]).toEqual([0, 2, 4].map((i) => h.steps[i]!.oid));
    for (const [oid, bytes] of h.blobs) expect(bytes.equals(h.store.get(oid)!)).toBe(true);
  });

  it("predicts a tag written beside the digest when the commit declares it (Stagegate-Tag), and leaves its check to the replay", async () => {
    const versions: { bytes: Buffer; swap?: [string, string]; tag?: string }[] = [{ bytes: kustomization(digest(1), undefined, "v1") }];
    for (let i = 2; i <= 10; i++) versions.push({ bytes: kustomization(digest(i), undefined, `v${i}`), swap: [digest(i - 1), digest(i)], tag: `v${i}` });
    const h = history(versions);
    const predicted = await resolveVersions(h.steps, h.blobs, h.read);
    expect(h.requests).toEqual([[h.steps[0]!.oid]]);
    // Not an exact swap: the replay runs its declared-swap check on these bytes, as on any it reads.
    expect(predicted.size).toBe(0);
    for (const step of h.steps) expect(h.blobs.get(step.oid!)?.equals(h.store.get(step.oid!)!)).toBe(true);
  });

  it("reads everything left at once after a round whose predictions all failed (tags written, none declared)", async () => {
    const versions: { bytes: Buffer; swap?: [string, string] }[] = [{ bytes: kustomization(digest(1), undefined, "v1") }];
    for (let i = 2; i <= 20; i++) versions.push({ bytes: kustomization(digest(i), undefined, `v${i}`), swap: [digest(i - 1), digest(i)] });
    const h = history(versions);
    const predicted = await resolveVersions(h.steps, h.blobs, h.read);
    expect(predicted.size).toBe(0);
    // The first version; then the second fails its prediction (the swap with another tag), so every
    // version left comes in that same request: 2 requests, not one per version.
    expect(h.requests.map((r) => r.length)).toEqual([1, 19]);
    expect(h.blobs.size).toBe(20);
  });

  it("predicts in a SHA-256 repository", async () => {
    const h = history([{ bytes: kustomization(digest(1)) }, { bytes: kustomization(digest(2)), swap: [digest(1), digest(2)] }], "sha256");
    expect(h.steps[0]!.oid).toBe(gitHash(kustomization(digest(1)), "sha256"));
    const predicted = await resolveVersions(h.steps, h.blobs, h.read);
    expect(h.requests).toEqual([[h.steps[0]!.oid]]);
    expect([...predicted]).toEqual([1]);
  });

  it("does not ask again for a version git cannot give, and reads on from the next one", async () => {
    const h = history([{ bytes: kustomization(digest(1)) }, { bytes: kustomization(digest(2)), swap: [digest(1), digest(2)] }, { bytes: kustomization(digest(3)), swap: [digest(2), digest(3)] }]);
    h.store.delete(h.steps[0]!.oid!);
    const predicted = await resolveVersions(h.steps, h.blobs, h.read);
    // The first is missing: the second cannot be predicted and is read, the third is predicted from it.
    expect(h.requests).toEqual([[h.steps[0]!.oid], [h.steps[1]!.oid]]);
    expect([...predicted]).toEqual([2]);
  });

  it("starts a path again after a deletion, and keeps paths apart", async () => {
    const other = Buffer.from(`image: ghcr.io/acme/api@${digest(1)}\n`);
    const steps: FileStep[] = [
      { path: "a.yaml", oid: blobId(kustomization(digest(1)), 40) },
      { path: "b.yaml", oid: blobId(other, 40) },
      { path: "a.yaml", oid: undefined },
      // Recreated with the swap of its old bytes declared: a deleted path has no version before.
      { path: "a.yaml", oid: blobId(kustomization(digest(2)), 40), swap: { previous: digest(1), digest: digest(2) } },
      { path: "b.yaml", oid: blobId(Buffer.from(`image: ghcr.io/acme/api@${digest(2)}\n`), 40), swap: { previous: digest(1), digest: digest(2) } },
    ];
    const store = new Map([kustomization(digest(1)), other, kustomization(digest(2))].map((b) => [blobId(b, 40), b]));
    const blobs = new Map<string, Buffer>();
    const requests: string[][] = [];
    const predicted = await resolveVersions(steps, blobs, async (oids) => {
      requests.push(oids);
      for (const oid of oids) if (store.has(oid)) blobs.set(oid, store.get(oid)!);
    });
    expect(requests).toEqual([[steps[0]!.oid, steps[1]!.oid, steps[3]!.oid]]);
    expect([...predicted]).toEqual([4]);
  });

  it("goes on round by round while some prediction holds, and reads the rest at once when none does", async () => {
    // a.yaml: exact swaps (predicted); b.yaml: tags written beside the digests, none declared (never predicted).
    const steps: FileStep[] = [];
    const store = new Map<string, Buffer>();
    const add = (path: string, bytes: Buffer, swap?: [string, string]) => {
      store.set(blobId(bytes, 40), bytes);
      steps.push({ path, oid: blobId(bytes, 40), ...(swap ? { swap: { previous: swap[0], digest: swap[1] } } : {}) });
    };
    add("a.yaml", kustomization(digest(1)));
    add("b.yaml", kustomization(digest(1), undefined, "v1"));
    for (let i = 2; i <= 6; i++) {
      add("a.yaml", kustomization(digest(i)), [digest(i - 1), digest(i)]);
      add("b.yaml", kustomization(digest(i), undefined, `v${i}`), [digest(i - 1), digest(i)]);
    }
    const blobs = new Map<string, Buffer>();
    const requests: string[][] = [];
    const predicted = await resolveVersions(steps, blobs, async (oids) => {
      requests.push(oids);
      for (const oid of oids) blobs.set(oid, store.get(oid)!);
    });
    const b = (version: number) => steps[2 * version - 1]!.oid;
    // 1: both first versions. 2: a's swaps hold, b's first fails: b's next version alone. 3: b's only
    // prediction fails, nothing holds: b's three versions left in one request.
    expect(requests).toEqual([[steps[0]!.oid, b(1)], [b(2)], [b(3), b(4), b(5), b(6)]]);
    expect([...predicted].sort((x, y) => x - y)).toEqual([2, 4, 6, 8, 10]);
    // What was read: a's first version and b's six; a's predicted versions keep no bytes.
    expect(blobs.size).toBe(7);
  });
});
