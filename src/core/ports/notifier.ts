import type { NotificationChannel, NotificationEvent } from "../notify/types.js";

/**
 * Sends lifecycle notifications. `notify` only enqueues and returns at once: delivery (retries,
 * backoff) happens in the background and a failing channel never fails the caller.
 */
export interface Notifier {
  notify(event: NotificationEvent, channels: readonly NotificationChannel[]): void;
}

/** The default: notifications are not sent (local mode, tests). */
export const noopNotifier: Notifier = { notify: () => undefined };
