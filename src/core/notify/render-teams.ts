import { facts, headline } from "./text.js";
import type { NotificationEvent } from "./types.js";

export const ADAPTIVE_CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";

/**
 * A Microsoft Teams message (incoming webhook or Workflows "post to a channel when a webhook request
 * is received") carrying one Adaptive Card 1.4: title, summary, a FactSet and a link to the PR.
 */
export function renderTeams(e: NotificationEvent): Record<string, unknown> {
  const attention = e.event === "gate-failed" || e.event === "verification-failed" || e.event === "sla-breached";
  const card: Record<string, unknown> = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: [
      { type: "TextBlock", text: headline(e), weight: "Bolder", size: "Medium", wrap: true, ...(attention ? { color: "Attention" } : {}) },
      { type: "TextBlock", text: e.summary, wrap: true },
      { type: "FactSet", facts: facts(e).map((f) => ({ title: f.label, value: f.url ? `[${f.value}](${f.url})` : f.value })) },
      { type: "TextBlock", text: `stagegate · ${e.repository ?? "environments"} · ${e.at}`, isSubtle: true, size: "Small", wrap: true },
    ],
    ...(e.pullRequest?.url ? { actions: [{ type: "Action.OpenUrl", title: `Open #${e.pullRequest.number}`, url: e.pullRequest.url }] } : {}),
  };
  return { type: "message", attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, contentUrl: null, content: card }] };
}
