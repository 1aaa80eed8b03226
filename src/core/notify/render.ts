import { renderSlack } from "./render-slack.js";
import { renderTeams } from "./render-teams.js";
import { renderWebhook } from "./render-webhook.js";
import type { NotificationChannel, NotificationEvent } from "./types.js";

/** The JSON body of `event` for a channel kind. */
export function renderNotification(channel: NotificationChannel["channel"], event: NotificationEvent): Record<string, unknown> {
  switch (channel) {
    case "slack":
      return renderSlack(event);
    case "teams":
      return renderTeams(event);
    case "webhook":
      return renderWebhook(event);
  }
}
