import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The demo's stand-in for the services' deep readiness endpoints: `GET /<env>/<service>/ready?digest=…`
 * answers `{"ready": true}` unless that digest was marked broken. Loopback only; stopped at the end.
 */
export class DemoHealthServer {
  readonly #broken = new Set<string>();
  readonly requests: string[] = [];
  #server: Server | undefined;
  #base = "";

  /** Marks a digest as failing its readiness check everywhere. */
  breakDigest(digest: string): void {
    this.#broken.add(digest);
  }

  get base(): string {
    return this.#base;
  }

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      this.requests.push(url.pathname + url.search);
      const ready = !this.#broken.has(url.searchParams.get("digest") ?? "");
      res.writeHead(ready ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify({ ready, checks: { database: ready ? "ok" : "timeout" } }));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.#base;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
