/**
 * The fake GitHub for lifecycle tests: the shared fake's repositories and resolvers (PR opening,
 * snapshots) extended with the lifecycle's state, behind nock. Every GraphQL document is validated
 * against GitHub's schema and every REST request and response against the OpenAPI subset, with the
 * shared harness's checkers; violations fail the test. Requests are logged for request budgets.
 */
import { readFileSync } from "node:fs";
import type { OperationDefinitionNode } from "graphql";
import { execute, parse } from "graphql";
import nock from "nock";
import { createRootValue } from "../../../support/github/fake-graphql.js";
import { FakeGraphqlError, type FakeRepo } from "../../../support/github/fake-state.js";
import { handleRest } from "../../../support/github/fake-rest.js";
import { checkGraphqlRequest, getGitHubSchema } from "../../../support/github/graphql-contract.js";
import { RestContract } from "../../../support/github/rest-contract.js";
import { extendRootValue } from "./lifecycle-graphql.js";
import { handleLifecycleRest } from "./lifecycle-rest.js";
import { LifecycleState } from "./lifecycle-state.js";

export type Logged = { kind: "graphql"; name: string; operation: string } | { kind: "rest"; method: string; path: string; body: unknown; status: number };

let contract: RestContract | undefined;
const examples = (JSON.parse(readFileSync(new URL("../../../support/github/openapi-subset.json", import.meta.url), "utf8")) as { components: { examples: Record<string, { value: unknown }> } }).components.examples;

/** A mutable test clock shared by the fake and the app. */
export class TestClock {
  #now: number;
  constructor(iso = "2026-03-02T10:00:00Z") {
    this.#now = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.#now);
  }
  iso(): string {
    return new Date(this.#now).toISOString();
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** The fake, with request log and contract violations. */
export class LifecycleGitHub {
  readonly repos: FakeRepo[];
  readonly clock: TestClock;
  readonly app = { id: 1234, slug: "stagegate" };
  readonly requests: Logged[] = [];
  readonly violations: string[] = [];
  readonly commitTimes = new Map<string, string>();
  /** Fail the next REST request matching (method, path regex) with this status. */
  readonly faults: { method: string; path: RegExp; status: number; message: string }[] = [];
  #states = new Map<FakeRepo, LifecycleState>();
  #interceptors: nock.Interceptor[] = [];

  constructor(repos: FakeRepo[], clock = new TestClock()) {
    this.repos = repos;
    this.clock = clock;
    contract ??= new RestContract();
  }

  state(fullName: string | FakeRepo): LifecycleState {
    const repo = typeof fullName === "string" ? this.repos.find((r) => r.fullName === fullName)! : fullName;
    let state = this.#states.get(repo);
    if (!state) {
      state = new LifecycleState(repo);
      this.#states.set(repo, state);
    }
    return state;
  }

  repo(fullName: string): FakeRepo {
    return this.repos.find((r) => r.fullName === fullName)!;
  }

  install(): this {
    const scope = nock("https://api.github.com").persist();
    const graphql = scope.post("/graphql");
    graphql.reply((_uri, body) => this.#graphql(typeof body === "string" ? JSON.parse(body) : (body as { query: string; variables?: Record<string, unknown> })));
    this.#interceptors.push(graphql);
    for (const method of ["get", "post", "patch", "put", "delete"] as const) {
      const interceptor = scope[method](/^\/(app|repos|orgs|installation)\b/);
      interceptor.reply((uri, body) => this.#rest(method.toUpperCase(), uri, body));
      this.#interceptors.push(interceptor);
    }
    return this;
  }

  dispose(): void {
    for (const interceptor of this.#interceptors) nock.removeInterceptor(interceptor);
    this.#interceptors = [];
  }

  /** Requests other than installation-token minting and the app lookup. */
  apiRequests(): Logged[] {
    return this.requests.filter((r) => !(r.kind === "rest" && (r.path.endsWith("/access_tokens") || r.path === "/app")));
  }

  /** Requests as `name` (GraphQL) or `METHOD /path` (REST), for assertions. */
  describe(requests = this.apiRequests()): string[] {
    return requests.map((r) => (r.kind === "graphql" ? r.name : `${r.method} ${r.path}`));
  }

  #graphql(body: { query: string; variables?: Record<string, unknown> }): [number, unknown] {
    const variables = body.variables ?? {};
    const violations = checkGraphqlRequest(body.query, variables);
    const document = violations.length === 0 ? parse(body.query) : undefined;
    const operation = document?.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
    const name = operation?.name?.value ?? "anonymous";
    this.requests.push({ kind: "graphql", name, operation: operation?.operation ?? "query" });
    if (!document) {
      this.violations.push(...violations.map((v) => `${name}: ${v}`));
      return [200, { errors: violations.map((message) => ({ message })) }];
    }
    const world = { repos: this.repos, state: (r: FakeRepo) => this.state(r), commitTimes: this.commitTimes };
    const root = extendRootValue(createRootValue(this.repos, () => this.clock.iso()), world);
    const result = execute({ schema: getGitHubSchema(), document, rootValue: root, variableValues: variables });
    if ("then" in result) throw new Error("fake resolvers must be synchronous");
    for (const e of result.errors ?? []) if (!(e.originalError instanceof FakeGraphqlError)) this.violations.push(`${name}: fake failed: ${e.message}`);
    const errors = result.errors?.map((e) => ({ message: e.message, type: e.originalError instanceof FakeGraphqlError ? e.originalError.type : undefined, path: e.path }));
    return [200, errors ? { data: result.data, errors } : { data: result.data }];
  }

  #rest(method: string, uri: string, raw: unknown): [number, unknown] {
    const body = (typeof raw === "string" && raw !== "" ? JSON.parse(raw) : raw === "" ? undefined : raw) as Record<string, unknown> | undefined;
    const url = new URL(uri, "https://api.github.com");
    const logged: Logged = { kind: "rest", method, path: url.pathname, body, status: 0 };
    this.requests.push(logged);
    const violations = contract!.checkRequest(method, uri, body);
    if (violations.length > 0) {
      this.violations.push(...violations);
      logged.status = 422;
      return [422, { message: "Invalid request.", errors: violations }];
    }
    const faultIndex = this.faults.findIndex((f) => f.method === method && f.path.test(url.pathname));
    if (faultIndex >= 0) {
      const [fault] = this.faults.splice(faultIndex, 1);
      logged.status = fault!.status;
      return [fault!.status, { message: fault!.message }];
    }
    const world = { repos: this.repos, state: (r: FakeRepo) => this.state(r), examples, now: () => this.clock.iso(), app: this.app, commitTimes: this.commitTimes };
    const [status, response] = handleLifecycleRest(world, method, url.pathname, url.searchParams, body ?? {}) ?? handleRest({ repos: this.repos, examples, now: this.clock.iso() }, method, url.pathname, body);
    logged.status = status;
    this.violations.push(...contract!.checkResponse(method, uri, status, response).map((v) => `fake response ${method} ${url.pathname}: ${v}`));
    return [status, response];
  }
}
