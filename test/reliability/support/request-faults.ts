/**
 * Fault injection at the HTTP boundary between Stagegate and GitHub. An Octokit plugin counts every
 * request (installation-token minting excepted) and, when armed with (k, fault), makes request k fail:
 *
 * - `500`, `502`: GitHub answers with that status (the request is not applied).
 * - `rate-limit`: 403 "secondary rate limit" with `retry-after: 60` (not applied).
 * - `conflict`: GitHub's conflict answer (GraphQL: 200 with a STALE_DATA error; REST: 409) (not applied).
 * - `unprocessable`: GraphQL: 200 with an UNPROCESSABLE "already exists" error; REST: 422 (not applied).
 * - `timeout`: the request IS applied by GitHub but the response is lost (Octokit reports an aborted fetch
 *   as status 500, like a client-side timeout); the flow goes on.
 * - `crash`: the request is applied, then the process "dies": this and every later request of the run
 *   throw before reaching GitHub, so nothing after request k happens (a crash between two requests).
 *
 * The failed answers are what Octokit itself produces from such responses (a RequestError with status,
 * headers and body; a GraphQL 200 whose `errors` Octokit turns into a GraphqlResponseError), so the
 * adapter's error translation is exercised for real, whichever fake GitHub serves the other requests.
 */
import { RequestError } from "@octokit/request-error";

export const FAULT_KINDS = ["500", "502", "timeout", "rate-limit", "conflict", "unprocessable", "crash"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What the process would see if it had died: nothing reaches GitHub any more. */
export class SimulatedCrash extends Error {
  constructor(index: number) {
    super(`simulated crash after request ${index}`);
    this.name = "SimulatedCrash";
  }
}

interface RequestOptions {
  method?: string;
  url?: string;
  baseUrl?: string;
  headers?: Record<string, string>;
}

type RequestFn = (options: RequestOptions) => Promise<unknown>;
type OctokitWithHook = { hook: { wrap: (name: "request", wrapper: (request: RequestFn, options: RequestOptions) => Promise<unknown>) => void } };

function isTokenRequest(options: RequestOptions): boolean {
  return /\/access_tokens$/.test(options.url ?? "");
}

function isGraphql(options: RequestOptions): boolean {
  return (options.url ?? "").endsWith("/graphql");
}

/** One fault controller shared by every Octokit instance of a test (Probot creates one per delivery). */
export class RequestFaults {
  /** Requests seen since the last `arm` (token minting excluded). */
  count = 0;
  #target: number | undefined;
  #kind: FaultKind | undefined;
  #dead = false;
  #fired = false;
  /** Makes request `index` (0-based, counted from now) fail with `kind`. */
  arm(index: number, kind: FaultKind): void {
    this.count = 0;
    this.#target = index;
    this.#kind = kind;
    this.#dead = false;
    this.#fired = false;
  }

  /** Back to healthy: counting restarts, nothing fails (the next delivery runs on a "restarted" process). */
  disarm(): void {
    this.count = 0;
    this.#target = undefined;
    this.#kind = undefined;
    this.#dead = false;
  }

  /** Whether the armed fault was reached (a flow may stop earlier, e.g. after an earlier refusal). */
  get fired(): boolean {
    return this.#fired;
  }

  /** The Octokit plugin: pass to `Octokit.plugin(...)`. */
  readonly plugin = (octokit: OctokitWithHook): void => {
    octokit.hook.wrap("request", async (request, options) => {
      if (isTokenRequest(options)) return request(options);
      if (this.#dead) throw new SimulatedCrash(this.#target ?? -1);
      const index = this.count++;
      if (index !== this.#target || this.#kind === undefined) return request(options);
      this.#fired = true;
      const kind = this.#kind;
      if (kind === "crash") {
        await request(options);
        this.#dead = true;
        throw new SimulatedCrash(index);
      }
      if (kind === "timeout") {
        await request(options).catch(() => undefined);
        // @octokit/request turns an aborted fetch into an error with status 500 (fetch-wrapper's AbortError path).
        throw Object.assign(new Error("This operation was aborted"), { name: "AbortError", status: 500 });
      }
      const answer = httpFault(kind, isGraphql(options));
      const url = `${options.baseUrl ?? "https://api.github.com"}${options.url ?? ""}`;
      const response = { status: answer.status, url, headers: answer.headers ?? {}, data: answer.body };
      // A 200 carries GraphQL errors: Octokit's graphql() raises GraphqlResponseError from it.
      if (answer.status === 200) return response;
      throw new RequestError(String((answer.body as { message?: string }).message), answer.status, { request: { method: (options.method ?? "GET") as "GET", url, headers: options.headers ?? {} }, response });
    });
  };
}

function httpFault(kind: Exclude<FaultKind, "crash" | "timeout">, graphql: boolean): { status: number; headers?: Record<string, string>; body: unknown } {
  switch (kind) {
    case "500":
      return { status: 500, body: { message: "Server Error" } };
    case "502":
      return { status: 502, body: { message: "Bad Gateway" } };
    case "rate-limit":
      return { status: 403, headers: { "retry-after": "60", "content-type": "application/json" }, body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." } };
    case "conflict":
      return graphql
        ? { status: 200, headers: { "content-type": "application/json" }, body: { data: null, errors: [{ type: "STALE_DATA", message: 'Expected branch to point to "0000000" but it did not. Pull and try again!' }] } }
        : { status: 409, body: { message: "Conflict" } };
    case "unprocessable":
      return graphql
        ? { status: 200, headers: { "content-type": "application/json" }, body: { data: null, errors: [{ type: "UNPROCESSABLE", message: "Reference already exists" }] } }
        : { status: 422, body: { message: "Reference already exists" } };
  }
}
