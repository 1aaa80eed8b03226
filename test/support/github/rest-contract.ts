/**
 * REST half of the contract harness: method, path, query and JSON body of every request (and the fake's
 * response) are validated with ajv against the subset of GitHub's OpenAPI description checked in next to
 * this file (scripts/generate-openapi-subset.ts). An operation missing from the subset is a violation too.
 */
import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: object;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  pointer: string;
  parameters: Parameter[];
  hasBody: boolean;
  /** Documented statuses, and whether each has a JSON body schema. */
  responses: Map<string, boolean>;
}

type OpenApi = { paths: Record<string, Record<string, { parameters?: ({ $ref: string } | Parameter)[]; requestBody?: unknown; responses?: Record<string, { content?: Record<string, unknown> }> }>>; components: { parameters: Record<string, Parameter> } };

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Validates REST requests and responses against the checked-in OpenAPI subset. */
export class RestContract {
  #ajv: Ajv;
  #operations: Operation[] = [];
  #cache = new Map<string, ValidateFunction>();

  constructor(subset: OpenApi = JSON.parse(readFileSync(new URL("./openapi-subset.json", import.meta.url), "utf8")) as OpenApi) {
    this.#ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }));
    this.#ajv.addSchema(normaliseNullable(subset) as object, "openapi");
    for (const [template, methods] of Object.entries(subset.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        // A parameter's schema may itself be a `$ref` into the components (`code-scanning-ref`): resolved here, where the subset is at hand.
        const resolve = (schema: object): object => ("$ref" in schema && typeof schema.$ref === "string" ? resolve((subset.components as unknown as Record<string, Record<string, object>>)[schema.$ref.split("/")[2]!]![schema.$ref.split("/").pop()!]!) : schema);
        const parameters = (op.parameters ?? []).map((p) => ("$ref" in p ? subset.components.parameters[p.$ref.split("/").pop()!]! : p)).map((p) => ({ ...p, schema: resolve(p.schema) }));
        const pattern = new RegExp("^" + template.replace(/\{[^}]+\}/g, "([^/]+)") + "$");
        this.#operations.push({ method: method.toUpperCase(), template, pattern, pointer: `openapi#/paths/${escapePointer(template)}/${method}`, parameters, hasBody: op.requestBody !== undefined, responses: new Map(Object.entries(op.responses ?? {}).map(([status, r]) => [status, r.content?.["application/json"] !== undefined])) });
      }
    }
  }

  #validator(ref: string): ValidateFunction {
    let fn = this.#cache.get(ref);
    if (!fn) {
      fn = this.#ajv.compile({ $ref: ref });
      this.#cache.set(ref, fn);
    }
    return fn;
  }

  #errors(fn: ValidateFunction, value: unknown, where: string): string[] {
    return fn(value) ? [] : (fn.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? "invalid"}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`);
  }

  /** The operation template for a request, or undefined when the subset does not describe it. */
  findOperation(method: string, path: string): Operation | undefined {
    const pathname = path.split("?")[0]!;
    return this.#operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(pathname));
  }

  /** Contract violations of one request (empty when GitHub would accept it). */
  checkRequest(method: string, url: string, body: unknown): string[] {
    const parsed = new URL(url, "https://api.github.com");
    const operation = this.findOperation(method, parsed.pathname);
    if (!operation) return [`REST: ${method} ${parsed.pathname} is not in the OpenAPI subset (add it to scripts/generate-openapi-subset.ts)`];
    const violations: string[] = [];
    const values = operation.pattern.exec(parsed.pathname)!.slice(1).map(decodeURIComponent);
    const names = [...operation.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    names.forEach((name, i) => {
      const param = operation.parameters.find((p) => p.in === "path" && p.name === name);
      if (param) violations.push(...this.#errors(this.#ajv.compile(param.schema), coerce(values[i]!, param.schema), `REST path {${name}}`));
    });
    for (const [key, value] of parsed.searchParams) {
      const param = operation.parameters.find((p) => p.in === "query" && p.name === key);
      if (!param) violations.push(`REST query: unknown parameter ${key}`);
      else violations.push(...this.#errors(this.#ajv.compile(param.schema), coerce(value, param.schema), `REST query ${key}`));
    }
    if (operation.hasBody) {
      violations.push(...this.#errors(this.#validator(`${operation.pointer}/requestBody/content/application~1json/schema`), body ?? {}, `REST body ${operation.method} ${operation.template}`));
    } else if (body !== undefined && body !== "" && !(typeof body === "object" && body !== null && Object.keys(body).length === 0)) {
      violations.push(`REST: ${operation.method} ${operation.template} takes no body`);
    }
    return violations.map((v) => `${method} ${parsed.pathname}: ${v}`);
  }

  /** Contract violations of a response the fake sends (so mocks stay realistic). */
  checkResponse(method: string, url: string, status: number, body: unknown): string[] {
    const parsed = new URL(url, "https://api.github.com");
    const operation = this.findOperation(method, parsed.pathname);
    if (!operation) return [];
    const hasSchema = operation.responses.get(String(status));
    if (hasSchema === undefined) return status >= 400 ? [] : [`REST response: ${status} is not a documented status of ${method} ${operation.template}`];
    if (!hasSchema) return [];
    return this.#errors(this.#validator(`${operation.pointer}/responses/${status}/content/application~1json/schema`), body, `REST response ${status}`);
  }
}

/**
 * OpenAPI 3.0 `nullable: true` next to `$ref`/`allOf` (no `type`) is legal OpenAPI but ajv refuses it;
 * rewrite those nodes as `anyOf: [node, { type: "null" }]`.
 */
function normaliseNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normaliseNullable);
  if (node === null || typeof node !== "object") return node;
  const entries = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, normaliseNullable(v)]));
  if (entries.nullable === true && entries.type === undefined) {
    const { nullable: _nullable, description, ...rest } = entries;
    return { ...(description === undefined ? {} : { description }), anyOf: [rest, { type: "null" }] };
  }
  // `nullable` next to an `enum` (an in-progress check run's `conclusion`): JSON Schema's enum must list null too.
  if (entries.nullable === true && Array.isArray(entries.enum) && !entries.enum.includes(null)) return { ...entries, enum: [...entries.enum, null] };
  return entries;
}

function coerce(value: string, schema: object): unknown {
  const type = (schema as { type?: string }).type;
  if (type === "integer" || type === "number") return Number(value);
  if (type === "boolean") return value === "true";
  return value;
}
