import { renderNotification } from "../../core/notify/render.js";
import type { NotificationChannel, NotificationEvent } from "../../core/notify/types.js";
import { silentLogger, type Logger } from "../../core/logger.js";
import type { Notifier } from "../../core/ports/notifier.js";
import { SIGNATURE_HEADER, signBody } from "./sign.js";

export interface DispatcherOptions {
  /** The app's environment: channels name variables holding their URL (and webhook secret). */
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof globalThis.fetch;
  log?: Logger;
  /** Deliveries waiting beyond this are dropped (and counted): a stuck channel cannot grow memory. */
  maxQueue?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** Tries per delivery, the first included. */
  attempts?: number;
  /** Backoff before retry n (1-based): min(maxDelayMs, baseDelayMs·2^(n-1)) · (0.5 + random/2) ("equal jitter"). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/** Counters, for metrics and tests. */
export interface DispatcherStats {
  queued: number;
  delivered: number;
  failed: number;
  retried: number;
  dropped: number;
  /** A channel's environment variable was missing. */
  misconfigured: number;
}

interface Job {
  channel: NotificationChannel;
  event: NotificationEvent;
}

/** Whether a response status is worth retrying: rate limits, timeouts and server errors. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The Notifier adapter: renders each (event, channel), resolves the channel's URL and secret from the
 * app's environment, and POSTs with bounded retries (exponential backoff + jitter, Retry-After
 * honoured up to maxDelayMs). In-process, fire-and-forget: `notify` never waits and never throws; a
 * failing channel is logged and counted, never surfaced to the promotion.
 */
export class NotificationDispatcher implements Notifier {
  readonly stats: DispatcherStats = { queued: 0, delivered: 0, failed: 0, retried: 0, dropped: 0, misconfigured: 0 };
  readonly #queue: Job[] = [];
  readonly #idle: (() => void)[] = [];
  readonly #o: Required<Omit<DispatcherOptions, "log">> & { log: Logger };
  #active = 0;

  constructor(options: DispatcherOptions) {
    this.#o = {
      fetch: globalThis.fetch.bind(globalThis),
      maxQueue: 1000,
      concurrency: 4,
      attempts: 4,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      timeoutMs: 10_000,
      random: Math.random,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
      now: () => new Date(),
      ...options,
      log: options.log ?? silentLogger,
    };
  }

  notify(event: NotificationEvent, channels: readonly NotificationChannel[]): void {
    for (const channel of channels) {
      if (this.#queue.length >= this.#o.maxQueue) {
        this.stats.dropped++;
        this.#o.log.warn({ channel: channel.channel, event: event.event, queue: this.#queue.length }, "notification dropped: queue full");
        continue;
      }
      this.#queue.push({ channel, event });
      this.stats.queued++;
      this.#pump();
    }
  }

  /** Resolves when nothing is queued or in flight (tests, graceful shutdown). */
  drain(): Promise<void> {
    if (this.#active === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #pump(): void {
    while (this.#active < this.#o.concurrency && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      this.#active++;
      void this.#deliver(job).finally(() => {
        this.#active--;
        this.#pump();
        if (this.#active === 0 && this.#queue.length === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    }
  }

  async #deliver({ channel, event }: Job): Promise<void> {
    const log = this.#o.log.child({ channel: channel.channel, event: event.event, environment: event.environment, service: event.service });
    const url = this.#o.env[channel.urlFromEnv];
    const secret = channel.channel === "webhook" ? this.#o.env[channel.secretFromEnv] : undefined;
    if (!url || (channel.channel === "webhook" && !secret)) {
      this.stats.misconfigured++;
      log.warn({ variable: !url ? channel.urlFromEnv : channel.channel === "webhook" ? channel.secretFromEnv : undefined }, "notification not sent: environment variable not set");
      return;
    }
    const body = JSON.stringify(renderNotification(channel.channel, event));
    const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "stagegate" };
    if (secret) Object.assign(headers, { [SIGNATURE_HEADER]: signBody(secret, body), "x-stagegate-event": event.event });
    let reason = "";
    let attempt = 1;
    for (; ; attempt++) {
      let wait: number | undefined;
      try {
        const response = await this.#o.fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(this.#o.timeoutMs), redirect: "error" });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.stats.delivered++;
          log.debug({ attempt }, "notification delivered");
          return;
        }
        reason = `HTTP ${response.status}`;
        if (!retryable(response.status)) break;
        const after = Number(response.headers.get("retry-after"));
        if (Number.isFinite(after) && after > 0) wait = Math.min(after * 1000, this.#o.maxDelayMs);
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (attempt >= this.#o.attempts) return this.#fail(log, reason, attempt);
      this.stats.retried++;
      const backoff = Math.min(this.#o.maxDelayMs, this.#o.baseDelayMs * 2 ** (attempt - 1));
      await this.#o.sleep(wait ?? backoff * (0.5 + this.#o.random() / 2));
    }
    this.#fail(log, reason, attempt);
  }

  #fail(log: Logger, reason: string, attempts: number): void {
    this.stats.failed++;
    // The URL is a secret (Slack/Teams webhook URLs carry their token): never logged.
    log.warn({ reason, attempts }, "notification failed");
  }
}
