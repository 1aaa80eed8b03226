import type { NotificationEvent, NotificationEventName } from "./types.js";

/** Headline verb of each event. */
export const EVENT_TITLES: Record<NotificationEventName, string> = {
  opened: "Promotion opened",
  "awaiting-approval": "Awaiting approval",
  "sla-breached": "Review SLA breached",
  "gate-failed": "Gate failed",
  merged: "Promotion merged",
  deployed: "Deployed",
  "verification-failed": "Verification failed",
  "rolled-back": "Rolled back",
  "override-used": "Gate overridden",
};

/** `sha256:0123456789ab` */
export function shortDigest(digest: string): string {
  return digest.slice(0, 19);
}

/** "Gate failed: checkout → prod" */
export function headline(e: NotificationEvent): string {
  return `${EVENT_TITLES[e.event]}: ${e.service} → ${e.environment}`;
}

/** Label/value pairs shown by every renderer, in order. */
export function facts(e: NotificationEvent): { label: string; value: string; url?: string }[] {
  const out: { label: string; value: string; url?: string }[] = [
    { label: "Service", value: e.service },
    { label: "Environment", value: e.environment },
    { label: "Digest", value: `${shortDigest(e.digest)}${e.tag ? ` (${e.tag})` : ""}` },
  ];
  if (e.source) out.push({ label: "Source", value: `${e.source.repo}@${e.source.sha.slice(0, 12)}`, ...(e.source.url ? { url: e.source.url } : {}) });
  if (e.pullRequest) out.push({ label: "Pull request", value: `#${e.pullRequest.number}`, ...(e.pullRequest.url ? { url: e.pullRequest.url } : {}) });
  if (e.gate) out.push({ label: "Gate", value: e.gate });
  if (e.actor) out.push({ label: "By", value: e.actor });
  if (e.mustAct && e.mustAct.length > 0) out.push({ label: "Must act", value: e.mustAct.map((p) => `@${p.replace(/^@/, "")}`).join(", ") });
  return out;
}
