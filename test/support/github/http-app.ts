/**
 * The app's own HTTP routes (what it registered through Probot's `addHandler`) served on a loopback
 * port, and a signed request to the HTTP intake as a sender makes it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";
import { signIntake } from "../../../src/app/intake-route.js";
import type { HttpHandler } from "./harness.js";

/** Registers an afterEach that closes the servers; returns a function serving `handlers` (404 for the rest) and resolving to the base URL. */
export function useHttpHandlers(): (handlers: HttpHandler[]) => Promise<string> {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });
  return async (handlers) => {
    const server = createServer(async (req, res) => {
      for (const handler of handlers) if (await handler(req, res)) return;
      res.writeHead(404).end();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
}

/** `POST /stagegate/intake` with `raw` as the body, signed with `secret` at `timestamp` (seconds) unless `signature` is given. */
export async function postIntake(base: string, secret: string, raw: string, options: { timestamp: number; signature?: string; contentType?: string }) {
  const timestamp = String(options.timestamp);
  const response = await fetch(`${base}/stagegate/intake`, {
    method: "POST",
    headers: { "content-type": options.contentType ?? "application/json", "x-stagegate-timestamp": timestamp, "x-stagegate-signature-256": options.signature ?? signIntake(secret, timestamp, raw) },
    body: raw,
  });
  return { status: response.status, json: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}
