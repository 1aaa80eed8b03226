/**
 * A loopback stand-in for the few GitHub REST endpoints the ops tests need, served under `/api/v3` so the app
 * reaches it through its GitHub Enterprise Server settings (GHE_HOST=127.0.0.1:<port>, GHE_PROTOCOL=http).
 * Every request is recorded with its arrival time. Unknown routes answer 404 like GitHub does.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
  /** performance.timeOrigin-based ms, comparable across processes of this machine. */
  at: number;
}

type Route = (request: RecordedRequest, res: ServerResponse) => boolean;

export interface GithubStub {
  /** `127.0.0.1:<port>` for GHE_HOST. */
  host: string;
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const RATE_HEADERS = { "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999", "x-ratelimit-resource": "core", "content-type": "application/json; charset=utf-8" };

function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, RATE_HEADERS).end(JSON.stringify(body));
  return true;
}

/** The default routes: the App itself, installation tokens, and repository installation lookup. */
export const defaultRoutes: Route[] = [
  (r, res) => r.method === "GET" && r.path === "/app" && json(res, 200, { id: 1, slug: "stagegate", name: "Stagegate" }),
  (r, res) =>
    r.method === "POST" &&
    /^\/app\/installations\/\d+\/access_tokens$/.test(r.path) &&
    json(res, 201, { token: `ghs_stub${"0".repeat(32)}`, expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {}, repository_selection: "all" }),
  (r, res) => r.method === "GET" && /^\/repos\/[^/]+\/[^/]+\/installation$/.test(r.path) && json(res, 200, { id: 1 }),
  (r, res) => r.method === "GET" && /^\/repos\/[^/]+\/[^/]+$/.test(r.path) && json(res, 200, { id: 1, full_name: r.path.slice("/repos/".length), default_branch: "main" }),
  (r, res) => r.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(r.path) && json(res, 201, { id: Date.now(), status: "completed" }),
];

/** Starts the stub on a free loopback port. Extra routes are tried before the defaults. */
export async function startGithubStub(extraRoutes: Route[] = []): Promise<GithubStub> {
  const requests: RecordedRequest[] = [];
  const routes = [...extraRoutes, ...defaultRoutes];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname.replace(/^\/api\/v3/, ""),
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString("utf8"),
        at: performance.timeOrigin + performance.now(),
      };
      requests.push(recorded);
      if (!routes.some((route) => route(recorded, res))) json(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    baseUrl: `http://127.0.0.1:${port}/api/v3`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
