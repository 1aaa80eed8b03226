import type { CheckReport } from "../../../src/core/ports/checks.js";
import type { Deployment } from "../../../src/core/ports/deployments.js";
import type { PromotionPullRequest } from "../../../src/core/ports/environments-repo.js";

/** Readable digests: `sha256:` + the word repeated to 64 hex characters. */
export const dig = (word: string): string => `sha256:${word.repeat(64).slice(0, 64)}`;

const config = `version: 1
defaults:
  policy: default
environments:
  - name: dev
    path: environments/dev
  - name: prod
    path: environments/prod
    from: [dev]
    policy: prod
services:
  - name: api
    image: ghcr.io/acme/api
  - name: web
    image: ghcr.io/acme/web
`;

const prodPolicy = `version: 1
gates:
  - gate: upstream
  - gate: approvals
    count: 1
    users: [rita]
    sla: 4h
  - gate: window
    timezone: Europe/Paris
    freezes:
      - from: "2026-03-01T00:00"
        to: "2026-03-09T00:00"
        reason: release freeze
overrides:
  users: [rita]
`;

const kustomization = (images: Record<string, string>) =>
  `images:\n${Object.entries(images)
    .map(([name, digest]) => `  - name: ghcr.io/acme/${name}\n    digest: ${digest}\n`)
    .join("")}`;

/** dev runs api@a1 and web@b1; prod runs api@a0 and no web. */
export function dashboardFiles(): Record<string, string> {
  return {
    "stagegate.yaml": config,
    "policies/default.yaml": "version: 1\n",
    "policies/prod.yaml": prodPolicy,
    "environments/dev/kustomization.yaml": kustomization({ api: dig("a1"), web: dig("b1") }),
    "environments/prod/kustomization.yaml": kustomization({ api: dig("a0") }),
  };
}

/** A deployment with statuses (oldest first). */
export function deployment(id: string, environment: string, service: string, digest: string, createdAt: string, statuses: { state: "success" | "failure" | "in_progress"; at: string; creator?: string }[], extra: Partial<Deployment["payload"]> & { kind?: "promotion" | "rollback" } = {}): Deployment {
  const { kind = "promotion", ...payload } = extra;
  return {
    id,
    environment,
    service,
    digest,
    ref: `${id}`.padEnd(40, "0"),
    kind,
    createdAt,
    payload: { service, digest, kind, ...payload },
    statuses: statuses.map((s) => ({ state: s.state, description: "", creator: s.creator ?? "stagegate", createdAt: s.at })),
  };
}

/** The open promotion of api to prod (#7) waiting for approval, with its checks. */
export function openPromotion(): { pr: PromotionPullRequest; checks: CheckReport[] } {
  return {
    pr: { number: 7, url: "https://github.com/acme/environments/pull/7", branch: `stagegate/prod/api/${"a1".repeat(6)}`, headSha: "c".repeat(40), baseRef: "main", title: "Promote api to prod", body: "", state: "open", author: "stagegate[bot]", labels: [], createdAt: "2026-03-02T05:00:00Z" },
    checks: [
      { name: "stagegate", status: "in_progress", title: "1 of 3 gates pending", summary: "" },
      { name: "stagegate/upstream", status: "completed", conclusion: "success", title: "healthy in dev", summary: "" },
      { name: "stagegate/approvals", status: "in_progress", title: "0 of 1 approvals (rita)", summary: "" },
      { name: "stagegate/window", status: "completed", conclusion: "success", title: "overridden by rita: hotfix for INC-42", summary: "" },
    ],
  };
}
