/**
 * Graceful termination for rolling updates. The kubelet sends SIGTERM (after the preStop sleep); Node's default
 * would exit at once and cut in-flight webhook deliveries. Instead: fail readiness (drain), stop accepting
 * connections and let in-flight requests finish, then exit — or exit anyway when the grace period runs out,
 * before the kubelet's SIGKILL. Only SIGTERM is handled: Probot's own `run()` already handles SIGINT.
 */
import type { Logger } from "../core/logger.js";

export interface ShutdownOptions {
  /** Stops accepting connections; resolves when in-flight requests are done (Probot's `server.stop()`). */
  stop: () => Promise<void>;
  /** Called first, so `/readyz` fails while the server drains. */
  drain?: () => void;
  /** Give up waiting after this long; keep it below terminationGracePeriodSeconds (30 s) minus the preStop sleep. Default 20 s. */
  graceMs?: number;
  log: Logger;
  /** Injected in tests. */
  signals?: Pick<NodeJS.Process, "once" | "removeListener">;
  exit?: (code: number) => void;
}

/** Installs the SIGTERM handler; returns a function that removes it. */
export function handleTermination(options: ShutdownOptions): () => void {
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const graceMs = options.graceMs ?? 20_000;
  const onSignal = (): void => {
    options.drain?.();
    options.log.info({ graceMs }, "SIGTERM: draining, then stopping");
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<"expired">((resolve) => {
      timer = setTimeout(() => resolve("expired"), graceMs);
    });
    void Promise.race([options.stop().then(() => "stopped" as const), expired])
      .then((result) => {
        if (result === "expired") options.log.warn({ graceMs }, "requests still running after the grace period: exiting anyway");
        exit(result === "stopped" ? 0 : 1);
      })
      .catch((error: unknown) => {
        options.log.error({ err: error }, "stopping the server failed");
        exit(1);
      })
      .finally(() => clearTimeout(timer));
  };
  signals.once("SIGTERM", onSignal);
  return () => signals.removeListener("SIGTERM", onSignal);
}
