/**
 * A stateful fake of api.github.com behind nock, for integration tests and the benchmark. Every request
 * is checked against GitHub's contracts (GraphQL schema, REST OpenAPI subset) before it is served, and
 * every REST response the fake sends is checked too; violations are collected and fail the test
 * (`assertContract`). Requests are logged so tests can count round trips and content-creating calls.
 */
import { readFileSync } from "node:fs";
import type { DocumentNode, OperationDefinitionNode } from "graphql";
import { execute, parse } from "graphql";
import nock from "nock";
import { checkGraphqlRequest, getGitHubSchema } from "./graphql-contract.js";
import { RestContract } from "./rest-contract.js";
import { createRootValue } from "./fake-graphql.js";
import { FakeGraphqlError } from "./fake-state.js";
import type { FakeRepo } from "./fake-state.js";
import { handleRest } from "./fake-rest.js";

export { FakeRepo } from "./fake-state.js";

/** One request the app sent, as the fake saw it. */
export type LoggedRequest =
  | { kind: "graphql"; operation: "query" | "mutation"; name: string; fields: string[]; variables: Record<string, unknown>; status: number }
  | { kind: "rest"; method: string; path: string; body: unknown; status: number };

/** A fault to inject: the next `times` matching requests fail as described. */
export interface Fault {
  match: (request: LoggedRequest) => boolean;
  times?: number;
  /** Fail the whole HTTP request (5xx, secondary rate limit 403 + retry-after…). */
  http?: { status: number; headers?: Record<string, string>; body?: unknown };
  /** Fail one GraphQL root field (the others still run, as in GitHub's serial mutation execution). */
  field?: { name: string; message: string; type: string };
}

let restContract: RestContract | undefined;
const subset = JSON.parse(readFileSync(new URL("./openapi-subset.json", import.meta.url), "utf8")) as { components: { examples: Record<string, { value: unknown }> } };

/** A fake GitHub serving the given repositories on https://api.github.com. */
export class FakeGitHub {
  readonly repos: FakeRepo[];
  readonly requests: LoggedRequest[] = [];
  readonly violations: string[] = [];
  readonly faults: Fault[] = [];
  #interceptors: nock.Interceptor[] = [];
  #clock: () => string;

  constructor(repos: FakeRepo[], options: { now?: () => string } = {}) {
    this.repos = repos;
    this.#clock = options.now ?? (() => "2026-01-01T00:00:00Z");
    restContract ??= new RestContract();
  }

  repo(fullName: string): FakeRepo {
    const repo = this.repos.find((r) => r.fullName === fullName);
    if (!repo) throw new Error(`no fake repo ${fullName}`);
    return repo;
  }

  /** Installs persistent nock interceptors for GraphQL and every REST route the fake knows. */
  install(baseUrl = "https://api.github.com"): this {
    const scope = nock(baseUrl).persist();
    const graphql = scope.post("/graphql");
    this.#interceptors.push(graphql);
    graphql.reply((_uri, body) => this.#guard(() => this.#serveGraphql(typeof body === "string" ? JSON.parse(body) : (body as { query: string; variables?: Record<string, unknown> }))));
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      const interceptor = scope[method](/^\/(app|repos|orgs)\//);
      this.#interceptors.push(interceptor);
      interceptor.reply((uri, body) => this.#guard(() => this.#serveRest(method.toUpperCase(), uri, body)));
    }
    return this;
  }

  /** Removes the interceptors (before test/setup.ts checks for pending mocks). */
  dispose(): void {
    for (const interceptor of this.#interceptors) nock.removeInterceptor(interceptor);
    this.#interceptors = [];
  }

  /** Throws when any request or response broke GitHub's contract. */
  assertContract(): void {
    if (this.violations.length > 0) throw new Error(`GitHub contract violations:\n${this.violations.join("\n")}`);
  }

  /** Requests to GitHub excluding installation-token minting. */
  apiRequests(): LoggedRequest[] {
    return this.requests.filter((r) => !(r.kind === "rest" && r.path.endsWith("/access_tokens")));
  }

  /** A throwing reply function would hang the request in nock: record it as a violation and answer 500. */
  #guard(serve: () => [number, unknown, Record<string, string>?]): [number, unknown, Record<string, string>?] {
    try {
      return serve();
    } catch (error) {
      this.violations.push(`fake crashed: ${(error as Error).stack ?? String(error)}`);
      return [500, { message: "fake crashed" }];
    }
  }

  #takeFault(request: LoggedRequest): Fault | undefined {
    const index = this.faults.findIndex((f) => f.match(request));
    if (index < 0) return undefined;
    const fault = this.faults[index]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  #serveGraphql(body: { query: string; variables?: Record<string, unknown> }): [number, unknown, Record<string, string>?] {
    const variables = body.variables ?? {};
    const violations = checkGraphqlRequest(body.query, variables);
    let document: DocumentNode | undefined;
    try {
      document = parse(body.query);
    } catch {
      document = undefined;
    }
    const operation = document?.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
    const request: LoggedRequest = {
      kind: "graphql",
      operation: operation?.operation === "mutation" ? "mutation" : "query",
      name: operation?.name?.value ?? "anonymous",
      fields: operation?.selectionSet.selections.flatMap((s) => (s.kind === "Field" ? [s.name.value] : [])) ?? [],
      variables,
      status: 200,
    };
    this.requests.push(request);
    if (violations.length > 0 || !document) {
      this.violations.push(...violations.map((v) => `${request.name}: ${v}`));
      request.status = 400;
      return [200, { errors: violations.map((message) => ({ message })) }];
    }
    const fault = this.#takeFault(request);
    if (fault?.http) {
      request.status = fault.http.status;
      return [fault.http.status, fault.http.body ?? { message: "Server Error" }, fault.http.headers];
    }
    const root = createRootValue(this.repos, this.#clock);
    if (fault?.field) {
      const { name, message, type } = fault.field;
      root[name] = () => {
        throw new FakeGraphqlError(message, type);
      };
    }
    const result = execute({ schema: getGitHubSchema(), document, rootValue: root, variableValues: variables });
    if ("then" in result) throw new Error("fake resolvers must be synchronous so each request is atomic");
    const errors = result.errors?.map((e) => ({ message: e.message, type: e.originalError instanceof FakeGraphqlError ? e.originalError.type : undefined, path: e.path, locations: e.locations }));
    for (const e of result.errors ?? []) if (!(e.originalError instanceof FakeGraphqlError)) this.violations.push(`${request.name}: fake failed: ${e.message}`);
    return [200, errors ? { data: result.data, errors } : { data: result.data }];
  }

  #serveRest(method: string, uri: string, body: unknown): [number, unknown, Record<string, string>?] {
    const parsedBody = typeof body === "string" && body !== "" ? JSON.parse(body) : body === "" ? undefined : body;
    const path = new URL(uri, "https://api.github.com").pathname;
    const request: LoggedRequest = { kind: "rest", method, path, body: parsedBody, status: 0 };
    this.requests.push(request);
    const violations = restContract!.checkRequest(method, uri, parsedBody);
    if (violations.length > 0) {
      this.violations.push(...violations);
      request.status = 422;
      return [422, { message: "Invalid request.", errors: violations }];
    }
    const fault = this.#takeFault(request);
    if (fault?.http) {
      request.status = fault.http.status;
      return [fault.http.status, fault.http.body ?? { message: "Server Error" }, fault.http.headers];
    }
    const [status, response] = handleRest({ repos: this.repos, examples: subset.components.examples, now: this.#clock() }, method, path, parsedBody);
    request.status = status;
    this.violations.push(...restContract!.checkResponse(method, uri, status, response).map((v) => `fake response ${method} ${path}: ${v}`));
    return [status, response];
  }
}
