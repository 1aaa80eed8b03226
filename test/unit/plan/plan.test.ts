import { describe, expect, it } from "vitest";
import { NotFoundError, TerminalError } from "../../../src/core/errors.js";
import { parsePromotionBody } from "../../../src/core/evidence/index.js";
import { parseTrailers } from "../../../src/core/evidence/trailers.js";
import { parsePromotionTrailers, planPromotion } from "../../../src/core/plan/index.js";
import type { PromotionRequestInput } from "../../../src/core/artifact.js";
import { setImageDigest, type EditRequest, type EditResult } from "../../../src/editors/index.js";
import { applyFiles, D, fixtureConfig, fixtureFiles, fixtureSnapshot } from "./fixture.js";

const loaded = fixtureConfig();

function request(service: string, environment = "prod-eu", extra: Partial<PromotionRequestInput> = {}, digest: string = D.new): PromotionRequestInput {
  return { artifact: { service, image: `ghcr.io/acme/${service}`, digest, tag: "v1.5.0" }, environment, ...extra };
}

describe("planPromotion: what changes", () => {
  it.each([
    {
      name: "kustomize + raw manifest in one environment",
      service: "checkout",
      files: ["environments/prod-eu/checkout/kustomization.yaml", "environments/prod-eu/checkout/migrate-job.yaml"],
      editors: ["kustomize", "kubernetes"],
      previous: [D.old],
      skipped: [],
    },
    { name: "helm values (CRLF), templated file skipped", service: "payments", files: ["environments/prod-eu/payments/values.yaml"], editors: ["helm-values"], previous: [D.old], skipped: ["environments/prod-eu/payments/templates/job.yaml"] },
    { name: "explicit targets with fields", service: "search", files: ["environments/prod-eu/search/values.yaml"], editors: ["fields"], previous: undefined, skipped: [] },
    { name: "a single kustomize file (staging)", service: "checkout", environment: "staging", files: ["environments/staging/checkout/kustomization.yaml"], editors: ["kustomize"], previous: [D.old], skipped: [] },
  ])("$name", ({ service, environment, files, editors, previous, skipped }) => {
    const plan = planPromotion(fixtureSnapshot(), request(service, environment), loaded);
    expect(plan.status).toBe("changed");
    expect(plan.files.map((f) => f.path)).toEqual(files);
    expect(plan.files.map((f) => f.editor)).toEqual(editors);
    if (previous) expect(plan.previousDigests).toEqual(previous);
    expect(plan.skipped.map((s) => s.path)).toEqual(skipped);
    for (const file of plan.files) {
      expect(file.after).toContain(D.new);
      expect(file.after).not.toBe(file.before);
      expect(file.patch.some((op) => op.op === "test")).toBe(true);
      expect(file.lines.length).toBeGreaterThan(0);
    }
  });

  it("changes only the digest and tag bytes, keeping CRLF, quotes and comments", () => {
    const plan = planPromotion(fixtureSnapshot(), request("payments"), loaded);
    const before = fixtureFiles()["environments/prod-eu/payments/values.yaml"];
    expect(plan.files[0]?.after).toBe(before?.replace("v2.0.0", "v1.5.0").replace(D.old, D.new));
  });

  it("leaves traps alone: an annotation naming the image keeps the old digest", () => {
    const plan = planPromotion(fixtureSnapshot(), request("checkout"), loaded);
    const job = plan.files.find((f) => f.path.endsWith("migrate-job.yaml"));
    expect(job?.after).toContain(`note: "image ghcr.io/acme/checkout@${D.old} must not change here"`);
  });

  it("is deterministic: same inputs, same plan", () => {
    expect(planPromotion(fixtureSnapshot(), request("checkout"), loaded)).toEqual(planPromotion(fixtureSnapshot(), request("checkout"), loaded));
  });
});

describe("planPromotion: status", () => {
  it("is already-promoted when every reference carries the digest, and says so", () => {
    const plan = planPromotion(fixtureSnapshot(fixtureFiles(D.new)), request("checkout"), loaded);
    expect(plan).toMatchObject({ status: "already-promoted", files: [], previousDigests: [] });
    expect(plan.message).toBe("checkout is already at sha256:abcdef123456 in prod-eu (2 files); nothing to do.");
  });

  it("is idempotent: planning against the applied plan yields already-promoted", () => {
    for (const service of ["checkout", "payments", "search"]) {
      const snapshot = fixtureSnapshot();
      const plan = planPromotion(snapshot, request(service), loaded);
      expect(plan.status).toBe("changed");
      expect(planPromotion(applyFiles(snapshot, plan.files), request(service), loaded).status).toBe("already-promoted");
    }
  });

  it("is not-referenced when nothing in the environment names the image, and says where it looked", () => {
    const plan = planPromotion(fixtureSnapshot(), request("ledger"), loaded);
    expect(plan).toMatchObject({ status: "not-referenced", files: [] });
    expect(plan.message).toBe("no file in environments/prod-eu/ (YAML and JSON files) references ghcr.io/acme/ledger; add a reference or configure targets.prod-eu on service ledger.");
  });

  it("is not-referenced (with the reasons) when the only references are in files it must skip", () => {
    const files = fixtureFiles();
    delete files["environments/prod-eu/payments/values.yaml"];
    const plan = planPromotion(fixtureSnapshot(files), request("payments"), loaded);
    expect(plan.status).toBe("not-referenced");
    expect(plan.message).toContain("Skipped: environments/prod-eu/payments/templates/job.yaml (templated file is not valid YAML");
  });
});

describe("planPromotion: refusals", () => {
  it.each([
    ["unknown service", request("nope"), NotFoundError, 'unknown service "nope" (known: checkout, payments, search, ledger)'],
    ["unknown environment", request("checkout", "prod-us"), NotFoundError, 'unknown environment "prod-us" (known: staging, prod-eu)'],
    ["unknown from", request("checkout", "prod-eu", { from: "qa" }), NotFoundError, 'unknown environment "qa"'],
    ["image of another service", { ...request("checkout"), artifact: { service: "checkout", image: "ghcr.io/acme/payments", digest: D.new } }, TerminalError, "is not the image of service \"checkout\""],
    ["bad digest", request("checkout", "prod-eu", {}, "sha256:abc"), TerminalError, "artifact.digest: must be sha256: followed by 64 lowercase hex"],
  ])("%s", (_, input, type, message) => {
    const attempt = () => planPromotion(fixtureSnapshot(), input, loaded);
    expect(attempt).toThrow(type);
    expect(attempt).toThrow(message);
  });

  it("fails the whole plan, naming the file, when one edit is refused (never half-edits)", () => {
    const files = fixtureFiles();
    // An image reference split over two lines of a quoted scalar cannot be spliced safely: the editors refuse it.
    files["environments/prod-eu/checkout/migrate-job.yaml"] = `spec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: "ghcr.io/acme/checkout@\n            ${D.old}"\n`;
    const attempt = () => planPromotion(fixtureSnapshot(files), request("checkout"), loaded);
    expect(attempt).toThrow(TerminalError);
    expect(attempt).toThrow(/cannot promote checkout to prod-eu: no file was changed because an edit was refused:\n {2}environments\/prod-eu\/checkout\/migrate-job.yaml: /);
  });

  it("lists every refused file, even when other files could be changed", () => {
    const edit = (fileName: string, content: string, req: EditRequest): EditResult =>
      fileName.endsWith("migrate-job.yaml") ? { status: "refused", content, patch: [], previousDigests: [], changes: [], references: [], reason: "re-parse differs" } : setImageDigest(fileName, content, req);
    expect(() => planPromotion(fixtureSnapshot(), request("checkout"), loaded, { edit })).toThrow(
      "cannot promote checkout to prod-eu: no file was changed because an edit was refused:\n  environments/prod-eu/checkout/migrate-job.yaml: re-parse differs",
    );
  });

  it("refuses when an explicit target has no reference", () => {
    const files = fixtureFiles();
    files["environments/prod-eu/search/values.yaml"] = "app: {}\n";
    expect(() => planPromotion(fixtureSnapshot(files), request("search"), loaded)).toThrow("environments/prod-eu/search/values.yaml: configured as a target of search in prod-eu");
  });

  it("refuses when an explicit target file is missing", () => {
    const files = fixtureFiles();
    delete files["environments/prod-eu/search/values.yaml"];
    expect(() => planPromotion(fixtureSnapshot(files), request("search"), loaded)).toThrow("target file environments/prod-eu/search/values.yaml of service \"search\" in environment \"prod-eu\" does not exist");
  });
});

describe("planPromotion: PR metadata", () => {
  it("names branches deterministically, per kind", () => {
    expect(planPromotion(fixtureSnapshot(), request("checkout"), loaded).branch).toBe("stagegate/prod-eu/checkout/abcdef123456");
    expect(planPromotion(fixtureSnapshot(), request("checkout", "prod-eu", { kind: "rollback", reason: "verification failed" }), loaded).branch).toBe("stagegate/rollback/prod-eu/checkout/abcdef123456");
  });

  it("collects labels, reviewers (teams by slug, the service's tier, service owners) and checks from the policy", () => {
    const plan = planPromotion(fixtureSnapshot(), request("checkout"), loaded);
    expect(plan.labels).toEqual(["production", "stagegate", "stagegate:prod-eu"]);
    expect(plan.reviewers).toEqual({ users: ["dave", "frank", "carol"], teams: ["sre", "platform-leads", "checkout-team"] });
    // A service of no tier (or another) gets the policy's reviewers without the critical tier's.
    expect(planPromotion(fixtureSnapshot(), request("payments"), loaded).reviewers).toEqual({ users: ["dave"], teams: ["sre"] });
    expect(plan.checks).toEqual(["stagegate/upstream", "stagegate/soak", "stagegate/approvals", "stagegate"]);
    expect(plan.policy).toBe("prod");
    expect(plan.baseOid).toBe("a".repeat(40));
  });

  it("uses the rollback gates and labels for a rollback", () => {
    const plan = planPromotion(fixtureSnapshot(), request("checkout", "prod-eu", { kind: "rollback", reason: "verification failed" }), loaded);
    expect(plan.title).toBe("rollback checkout in prod-eu to sha256:abcdef123456 (v1.5.0)");
    expect(plan.checks).toEqual(["stagegate/rollback-approval", "stagegate"]);
    expect(plan.labels).toEqual(["production", "stagegate", "stagegate:prod-eu", "stagegate:rollback"]);
    const trailers = parsePromotionTrailers(parseTrailers(plan.commitMessage));
    expect(trailers?.kind).toBe("rollback");
  });

  it("uses default-policy environments without gates: only the summary check", () => {
    const plan = planPromotion(fixtureSnapshot(), request("checkout", "staging"), loaded);
    expect(plan.checks).toEqual(["stagegate"]);
    expect(plan.labels).toEqual(["automated", "stagegate", "stagegate:staging"]);
    expect(plan.reviewers).toEqual({ users: ["carol"], teams: ["checkout-team"] });
  });

  it("writes trailers that read back to the request", () => {
    const plan = planPromotion(
      fixtureSnapshot(),
      request("checkout", "prod-eu", { from: "staging", artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest: D.new, tag: "v1.5.0", source: { repo: "acme/checkout", sha: "c".repeat(40) } } }),
      loaded,
    );
    expect(parsePromotionTrailers(parseTrailers(plan.commitMessage))).toEqual({
      service: "checkout",
      environment: "prod-eu",
      kind: "promotion",
      image: "ghcr.io/acme/checkout",
      digest: D.new,
      tag: "v1.5.0",
      previous: [D.old],
      source: { repo: "acme/checkout", sha: "c".repeat(40) },
      from: "staging",
    });
  });

  it("puts parseable evidence in the body, with the previous digest's tag and known source", () => {
    const plan = planPromotion(
      fixtureSnapshot(),
      request("checkout", "prod-eu", { artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest: D.new, source: { repo: "acme/checkout", sha: "c".repeat(40) } } }),
      loaded,
      { previousArtifacts: [{ digest: D.old, source: { repo: "acme/checkout", sha: "d".repeat(40) } }] },
    );
    const parsed = parsePromotionBody(plan.body);
    expect(parsed.ok && parsed.evidence.previous).toEqual([{ digest: D.old, tag: "v1.4.1", source: { repo: "acme/checkout", sha: "d".repeat(40) } }]);
    expect(parsed.ok && parsed.evidence.files).toEqual([
      { path: "environments/prod-eu/checkout/kustomization.yaml", editor: "kustomize", lines: 1 },
      { path: "environments/prod-eu/checkout/migrate-job.yaml", editor: "kubernetes", lines: 1 },
    ]);
    expect(plan.body).toContain(`https://github.com/acme/checkout/compare/${"d".repeat(40)}...${"c".repeat(40)}`);
  });
});
