import type { NOTIFICATION_EVENTS, Policy } from "../config/policy-schema.js";

/** A lifecycle moment a notification is sent for. */
export type NotificationEventName = (typeof NOTIFICATION_EVENTS)[number];

/** One channel of a policy's `notifications:` (URL and secret are NAMES of the app's environment variables). */
export type NotificationChannel = Policy["notifications"][number];

/** What happened, to which promotion, and who must act: everything a message shows. */
export interface NotificationEvent {
  event: NotificationEventName;
  /** ISO 8601. */
  at: string;
  /** The environments repository (owner/name), when known. */
  repository?: string;
  service: string;
  environment: string;
  /** sha256:… */
  digest: string;
  tag?: string;
  /** The artifact's source commit, with a link when the forge URL is known. */
  source?: { repo: string; sha: string; url?: string };
  pullRequest?: { number: number; url?: string };
  /** One line: why (failed gate and reason, verification detail, override reason…). */
  summary: string;
  /** Logins or teams (org/slug) who must act now (reviewers, override approvers); empty when nobody must. */
  mustAct?: string[];
  /** The gate concerned (gate-failed, override-used, sla-breached). */
  gate?: string;
  /** Who did it (merger, override author). */
  actor?: string;
}

/** A notification to deliver: the rendered body for one channel. */
export interface NotificationDelivery {
  channel: NotificationChannel;
  event: NotificationEvent;
}
