import type { NotificationChannel, NotificationEvent } from "./types.js";

/** The channels of a policy that want this event for this environment (pure). */
export function selectChannels(channels: readonly NotificationChannel[], event: Pick<NotificationEvent, "event" | "environment">): NotificationChannel[] {
  return channels.filter((c) => c.events.includes(event.event) && (c.environments === undefined || c.environments.includes(event.environment)));
}
