import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../../src/core/logger.js";
import { createObservability } from "../../../src/observability/index.js";
import { handleTermination } from "../../../src/observability/shutdown.js";

/** A process stand-in: emits signals, records the exit code. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const exited = new Promise<number>((resolve) => emitter.once("exit-called", resolve));
  return { signals: emitter as unknown as Pick<NodeJS.Process, "once" | "removeListener">, emitter, exits, exit: (code: number) => (exits.push(code), emitter.emit("exit-called", code)), exited };
}

async function readyz(ops: ReturnType<typeof createObservability>): Promise<{ status: number; body: string }> {
  let status = 0;
  let body = "";
  const res = { writeHead: (code: number) => (status = code), end: (text?: string) => (body = text ?? "") };
  await ops.handler({ method: "GET", url: "/readyz" } as never, res as never);
  return { status, body };
}

describe("handleTermination", () => {
  it("on SIGTERM fails readiness first, waits for the server to stop, then exits 0", async () => {
    const ops = createObservability({ collectDefaultMetrics: false });
    const proc = fakeProcess();
    const order: string[] = [];
    let finishStop: () => void = () => undefined;
    handleTermination({ stop: () => new Promise<void>((resolve) => ((finishStop = resolve), order.push("stop"))), drain: () => (ops.drain(), order.push("drain")), log: silentLogger, signals: proc.signals, exit: proc.exit });

    expect((await readyz(ops)).status).toBe(200);
    proc.emitter.emit("SIGTERM");
    expect(order).toEqual(["drain", "stop"]);
    expect(await readyz(ops)).toEqual({ status: 503, body: JSON.stringify({ status: "draining", checks: {} }) });
    expect(proc.exits).toEqual([]); // still draining in-flight requests
    finishStop();
    expect(await proc.exited).toBe(0);
  });

  it("exits 1 when in-flight requests outlast the grace period", async () => {
    const proc = fakeProcess();
    handleTermination({ stop: () => new Promise<void>(() => undefined), graceMs: 50, log: silentLogger, signals: proc.signals, exit: proc.exit });
    proc.emitter.emit("SIGTERM");
    expect(await proc.exited).toBe(1);
  });

  it("exits 1 when stopping fails, and can be uninstalled", async () => {
    const proc = fakeProcess();
    const uninstall = handleTermination({ stop: () => Promise.reject(new Error("close failed")), log: silentLogger, signals: proc.signals, exit: proc.exit });
    expect(proc.emitter.listenerCount("SIGTERM")).toBe(1);
    proc.emitter.emit("SIGTERM");
    expect(await proc.exited).toBe(1);
    handleTermination({ stop: async () => undefined, log: silentLogger, signals: proc.signals, exit: proc.exit })();
    uninstall();
    expect(proc.emitter.listenerCount("SIGTERM")).toBe(0);
  });
});
