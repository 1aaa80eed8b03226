import type { NotificationEvent } from "./types.js";

/** The generic JSON body: a versioned envelope around the event (signed by the adapter, X-Stagegate-Signature-256). */
export function renderWebhook(e: NotificationEvent): Record<string, unknown> {
  return { version: 1, ...e };
}
