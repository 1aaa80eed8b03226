/**
 * Webhook metrics at the one place every delivery passes: the `@octokit/webhooks` instance Probot exposes as
 * `probot.webhooks`. `verifyAndReceive` is what Probot's HTTP middleware calls (signature check, then all
 * handlers); `receive` is what `probot.receive()` calls. Wrapping both counts each delivery exactly once with
 * its outcome and times all of its handlers together, without touching any handler.
 */
import { emitterEventNames } from "@octokit/webhooks";
import type { StagegateMetrics, WebhookOutcome } from "./metrics.js";

interface ReceivedEvent {
  id: string;
  name: string;
  payload: unknown;
}

/** The part of an `@octokit/webhooks` `Webhooks` instance this module wraps and listens on. */
export interface InstrumentableWebhooks {
  receive(event: ReceivedEvent): Promise<void>;
  verifyAndReceive(event: { id: string; name: string; payload: string; signature: string }): Promise<void>;
  onAny(listener: (event: ReceivedEvent) => unknown): void;
}

const KNOWN_NAMES = new Set<string>(emitterEventNames);

/**
 * Label values for an event: names GitHub documents pass through, anything else becomes `unknown` (the
 * `X-GitHub-Event` header of an unsigned request is attacker-controlled). `none` when the payload has no action.
 */
export function webhookLabels(event: string, action: string | undefined): { event: string; action: string } {
  if (!KNOWN_NAMES.has(event)) return { event: "unknown", action: "unknown" };
  if (action === undefined) return { event, action: "none" };
  return { event, action: KNOWN_NAMES.has(`${event}.${action}`) ? action : "unknown" };
}

/** Wraps `webhooks.receive`/`verifyAndReceive` so every delivery is counted and timed. Call once per instance. */
export function instrumentWebhooks(webhooks: InstrumentableWebhooks, metrics: StagegateMetrics, now: () => number = () => performance.now()): void {
  // The action is read from the payload handlers see (parsed once by @octokit/webhooks), keyed by delivery id.
  const actions = new Map<string, string | undefined>();
  webhooks.onAny((event) => {
    const payload = event.payload;
    const action = typeof payload === "object" && payload !== null && "action" in payload ? payload.action : undefined;
    actions.set(event.id, typeof action === "string" ? action : undefined);
  });

  const observe = async (id: string, name: string, run: () => Promise<void>, actionOf: () => string | undefined): Promise<void> => {
    const started = now();
    let outcome: WebhookOutcome = "success";
    try {
      await run();
    } catch (error) {
      outcome = isRejection(error) ? "rejected" : "error";
      throw error;
    } finally {
      const action = outcome === "rejected" ? undefined : (actions.get(id) ?? actionOf());
      actions.delete(id);
      const labels = outcome === "rejected" ? { event: webhookLabels(name, undefined).event, action: "unknown" } : webhookLabels(name, action);
      metrics.recordWebhook({ ...labels, outcome, durationSeconds: (now() - started) / 1000 });
    }
  };

  const receive = webhooks.receive.bind(webhooks);
  const verifyAndReceive = webhooks.verifyAndReceive.bind(webhooks);
  webhooks.receive = (event) => observe(event.id, event.name, () => receive(event), () => actionOfPayload(event.payload));
  webhooks.verifyAndReceive = (event) => observe(event.id, event.name, () => verifyAndReceive(event), () => undefined);
}

/** Refused by @octokit/webhooks before any handler ran: bad signature or unparseable JSON (both answered 400). */
function isRejection(error: unknown): boolean {
  const first: unknown = error instanceof AggregateError ? error.errors[0] : error;
  const message = typeof first === "object" && first !== null && "message" in first && typeof first.message === "string" ? first.message : "";
  return /signature does not match|^invalid json$/i.test(message);
}

function actionOfPayload(payload: unknown): string | undefined {
  if (typeof payload !== "object" || payload === null || !("action" in payload)) return undefined;
  return typeof payload.action === "string" ? payload.action : undefined;
}
