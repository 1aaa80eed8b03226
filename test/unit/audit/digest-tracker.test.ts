import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DigestTracker } from "../../../src/core/audit/digest-tracker.js";

// A declared swap takes the tracker's fast paths (applySwap, and commit() without recomputing the
// environment); a file set in full takes none. Both must report the same changes, whatever the layout:
// one file per environment or several, services sharing a digest, several changes in one commit.
const D = (n: number) => `sha256:${n.toString(16).padStart(64, "0")}`;
const SERVICES = [
  { name: "api", image: "ghcr.io/acme/api" },
  { name: "web", image: "ghcr.io/acme/web" },
];
const ENVIRONMENTS = [
  { name: "prod", path: "envs/prod" },
  { name: "stage", path: "envs/stage" },
];
const FILES = ["envs/prod/k.yaml", "envs/stage/a.yaml", "envs/stage/b.yaml"];
type Content = Partial<Record<"api" | "web", number>>;
const render = (content: Content) =>
  `images:\n${(["api", "web"] as const)
    .filter((s) => content[s] !== undefined)
    .map((s) => `  - name: ghcr.io/acme/${s}\n    digest: ${D(content[s]!)}\n`)
    .join("")}`;
const extract = (_: string, text: string) => [...text.matchAll(/name: (\S+)\n\s+digest: (\S+)/g)].map((m) => ({ image: m[1] ?? "", digest: m[2] }));

type Op = { kind: "swap"; file: number; service: "api" | "web"; to: number } | { kind: "set"; file: number; content: Content } | { kind: "delete"; file: number };
const digestArb = fc.integer({ min: 1, max: 4 }); // a small pool: services and files share digests
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("swap" as const), file: fc.integer({ min: 0, max: 2 }), service: fc.constantFrom("api" as const, "web" as const), to: digestArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("set" as const), file: fc.integer({ min: 0, max: 2 }), content: fc.record({ api: digestArb, web: digestArb }, { requiredKeys: [] }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), file: fc.integer({ min: 0, max: 2 }) }) },
);

describe("DigestTracker fast paths", () => {
  it("report what setting every file in full reports (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(opArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 25 }), (commits) => {
        const fast = new DigestTracker(ENVIRONMENTS, SERVICES, extract);
        const full = new DigestTracker(ENVIRONMENTS, SERVICES, extract);
        const files = new Map<string, Content>();
        for (const ops of commits) {
          for (const op of ops) {
            const path = FILES[op.file]!;
            if (op.kind === "delete") {
              files.delete(path);
              fast.setFile(path, undefined);
              full.setFile(path, undefined);
              continue;
            }
            const before = files.get(path);
            const content: Content = op.kind === "set" ? op.content : { ...before, [op.service]: op.to };
            files.set(path, content);
            const previous = op.kind === "swap" ? before?.[op.service] : undefined;
            // As the replay does: the declared swap when the tracker takes it, else the file parsed.
            const swapped = op.kind === "swap" && previous !== undefined && previous !== op.to && fast.applySwap(path, op.service, D(previous), D(op.to));
            if (!swapped) fast.setFile(path, render(content));
            full.setFile(path, render(content));
          }
          expect(fast.commit()).toEqual(full.commit());
          for (const env of ["prod", "stage"]) for (const service of ["api", "web"]) expect(fast.current(env, service)).toBe(full.current(env, service));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("takes the declared swap of an environment's only file as its change, and recomputes an environment of several files", () => {
    const tracker = new DigestTracker(ENVIRONMENTS, SERVICES, extract);
    tracker.setFile("envs/prod/k.yaml", render({ api: 1, web: 2 }));
    tracker.setFile("envs/stage/a.yaml", render({ api: 1 }));
    tracker.setFile("envs/stage/b.yaml", render({ api: 1 }));
    tracker.commit();
    expect(tracker.applySwap("envs/prod/k.yaml", "api", D(1), D(3))).toBe(true);
    expect(tracker.commit()).toEqual([{ environment: "prod", service: "api", image: "ghcr.io/acme/api", digest: D(3), previous: D(1) }]);
    // stage's other file still runs api at D(1): the environment's digest is both, joined.
    expect(tracker.applySwap("envs/stage/a.yaml", "api", D(1), D(3))).toBe(true);
    expect(tracker.commit()).toEqual([{ environment: "stage", service: "api", image: "ghcr.io/acme/api", digest: `${D(1)}+${D(3)}`, previous: D(1) }]);
  });
});
