import type { Artifact } from "../core/artifact.js";
import { getEnvironment, getPolicy, type LoadedConfig } from "../core/config/index.js";
import type { Evidence } from "../core/evidence/schema.js";
import type { GateSpec } from "../core/config/index.js";
import type { GateResult } from "../core/gates/index.js";
import { selectChannels, type NotificationEvent, type NotificationEventName } from "../core/notify/index.js";
import { silentLogger } from "../core/logger.js";
import type { PromotionPullRequest } from "../core/ports/environments-repo.js";
import type { LifecycleDeps } from "./lifecycle-deps.js";

/**
 * Hands an event to the notifier for the channels the environment's policy (read from the default
 * branch) wants. Never throws and never waits: a notification must not fail or slow a promotion.
 */
export function emitNotification(deps: Pick<LifecycleDeps, "notifier" | "log">, loaded: LoadedConfig, event: NotificationEvent): void {
  if (!deps.notifier) return;
  const env = getEnvironment(loaded, event.environment);
  if (!env) return;
  try {
    const channels = selectChannels(getPolicy(loaded, env).notifications, event);
    if (channels.length > 0) deps.notifier.notify(event, channels);
  } catch (error) {
    (deps.log ?? silentLogger).warn({ err: error, event: event.event }, "notification not queued");
  }
}

/** The promotion context of a PR's evidence as a notification event. */
export function promotionEvent(deps: LifecycleDeps, event: NotificationEventName, evidence: Evidence, pr: Pick<PromotionPullRequest, "number" | "url">, fields: Pick<NotificationEvent, "summary"> & Partial<NotificationEvent>): NotificationEvent {
  const source = sourceLink(evidence.artifact.source, pr.url);
  return {
    event,
    at: deps.clock.now().toISOString(),
    service: evidence.service,
    environment: evidence.environment,
    digest: evidence.artifact.digest,
    ...(evidence.artifact.tag ? { tag: evidence.artifact.tag } : {}),
    ...(source ? { source } : {}),
    pullRequest: { number: pr.number, ...(pr.url ? { url: pr.url } : {}) },
    ...fields,
  };
}

/**
 * The notifications a gate evaluation calls for, from the checks it just WROTE (a check is written only
 * when it changed, so re-evaluations do not repeat them): gate-failed, awaiting-approval, override-used,
 * and sla-breached for escalations posted by this call.
 */
export function gateEvents(deps: LifecycleDeps, evidence: Evidence, pr: PromotionPullRequest, specs: readonly GateSpec[], results: readonly GateResult[], written: readonly string[], escalated: readonly string[], summaryName: string): NotificationEvent[] {
  const out: NotificationEvent[] = [];
  const wrote = (gate: string) => written.includes(`${summaryName}/${gate}`);
  const failed = results.filter((r) => r.conclusion === "failure");
  if (written.includes(summaryName) && failed.length > 0) {
    out.push(promotionEvent(deps, "gate-failed", evidence, pr, { summary: failed.map((r) => `${r.gate}: ${r.summary}`).join("; "), gate: failed.map((r) => r.gate).join(", "), mustAct: [pr.author] }));
  }
  for (const r of results) {
    const override = r.evidence?.["override"] as { by?: string; reason?: string } | undefined;
    if (override && wrote(r.gate)) out.push(promotionEvent(deps, "override-used", evidence, pr, { summary: r.summary, gate: r.gate, ...(override.by ? { actor: override.by } : {}) }));
    if (r.type === "approvals" && r.conclusion === "pending" && wrote(r.gate)) out.push(promotionEvent(deps, "awaiting-approval", evidence, pr, { summary: r.summary, gate: r.gate, mustAct: approvers(specs, r.gate) }));
    if (escalated.includes(r.gate)) {
      const escalate = r.evidence?.["escalate"] as { mention?: string[]; requestReviewFrom?: string[] } | undefined;
      out.push(promotionEvent(deps, "sla-breached", evidence, pr, { summary: r.summary, gate: r.gate, mustAct: [...new Set([...(escalate?.mention ?? []), ...(escalate?.requestReviewFrom ?? [])])] }));
    }
  }
  return out;
}

/** Teams and users whose approval an approvals gate counts: who must act on awaiting-approval. */
function approvers(specs: readonly GateSpec[], gate: string): string[] {
  const spec = specs.find((s) => (s.name ?? s.gate) === gate);
  return spec?.gate === "approvals" ? [...spec.teams, ...spec.users] : [];
}

/** The promotion context of a deployment (push recorded, verification) as a notification event. */
export function deploymentEvent(deps: LifecycleDeps, event: NotificationEventName, d: { environment: string; service: string; digest: string; payload: { artifact?: Artifact; pullRequest?: number } }, fields: Pick<NotificationEvent, "summary"> & Partial<NotificationEvent>): NotificationEvent {
  const { artifact, pullRequest } = d.payload;
  return {
    event,
    at: deps.clock.now().toISOString(),
    service: d.service,
    environment: d.environment,
    digest: d.digest,
    ...(artifact?.tag ? { tag: artifact.tag } : {}),
    ...(artifact?.source ? { source: { repo: artifact.source.repo, sha: artifact.source.sha } } : {}),
    ...(pullRequest !== undefined ? { pullRequest: { number: pullRequest } } : {}),
    ...fields,
  };
}

/**
 * `opened` for a promotion PR an intake opened (a new artifact from the registry, a dispatch, the HTTP
 * intake or `/stagegate promote`): the artifact as delivered, who asked, and the environments repository.
 */
export function intakeOpenedEvent(at: Date, artifact: Artifact, environment: string, pr: { number: number; url: string }, context: { repository: string; requestedBy?: string }): NotificationEvent {
  const source = artifact.source;
  const link = sourceLink(source, pr.url);
  const from = source ? ` from ${source.repo}@${source.sha.slice(0, 7)}` : "";
  return {
    event: "opened",
    at: at.toISOString(),
    repository: context.repository,
    service: artifact.service,
    environment,
    digest: artifact.digest,
    ...(artifact.tag ? { tag: artifact.tag } : {}),
    ...(link ? { source: link } : {}),
    pullRequest: { number: pr.number, url: pr.url },
    summary: `new artifact${artifact.tag ? ` ${artifact.tag}` : ""}${from}; promotion PR opened`,
    ...(context.requestedBy ? { actor: context.requestedBy } : {}),
  };
}

/** The artifact's source commit, linked on the forge of the PR (github.com or a GHES host) when its URL is known. */
function sourceLink(source: { repo: string; sha: string } | undefined, prUrl: string | undefined): NotificationEvent["source"] {
  if (!source) return undefined;
  const forge = /^https?:\/\/[^/]+/.exec(prUrl ?? "")?.[0];
  return { repo: source.repo, sha: source.sha, ...(forge ? { url: `${forge}/${source.repo}/commit/${source.sha}` } : {}) };
}
