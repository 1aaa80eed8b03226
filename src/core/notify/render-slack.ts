import { facts, headline } from "./text.js";
import type { NotificationEvent } from "./types.js";

/** Slack mrkdwn escaping: &, < and > are control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
function esc(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** A Slack incoming-webhook message in Block Kit: a section, a context line and a button to the PR. */
export function renderSlack(e: NotificationEvent): Record<string, unknown> {
  const lines = facts(e).map((f) => `*${esc(f.label)}:* ${f.url ? `<${f.url}|${esc(f.value)}>` : esc(f.value)}`);
  const blocks: Record<string, unknown>[] = [
    { type: "section", text: { type: "mrkdwn", text: `*${esc(headline(e))}*\n${esc(e.summary)}`.slice(0, 3000) } },
    { type: "section", fields: lines.slice(0, 10).map((text) => ({ type: "mrkdwn", text: text.slice(0, 2000) })) },
    { type: "context", elements: [{ type: "mrkdwn", text: esc(`stagegate · ${e.repository ?? "environments"} · ${e.at}`).slice(0, 3000) }] },
  ];
  if (e.pullRequest?.url) {
    blocks.push({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: `Open #${e.pullRequest.number}`.slice(0, 75) }, url: e.pullRequest.url, action_id: "stagegate-open-pr" }] });
  }
  // `text` is the notification/fallback text Slack shows where blocks cannot be rendered.
  return { text: `${headline(e)}: ${e.summary}`.slice(0, 3000), blocks };
}
