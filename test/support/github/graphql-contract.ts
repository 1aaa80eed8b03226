/**
 * GraphQL half of the contract harness: every document the app sends is validated against GitHub's
 * published schema (`@octokit/graphql-schema`) and its variables are coerced against the declared types,
 * exactly as GitHub would before executing it.
 */
import { schema as githubSchema } from "@octokit/graphql-schema";
import type { GraphQLSchema, IntrospectionQuery } from "graphql";
import { buildClientSchema, getVariableValues, parse, validate } from "graphql";

let cached: GraphQLSchema | undefined;

/** GitHub's GraphQL schema (built once per test process, ~0.5 s). */
export function getGitHubSchema(): GraphQLSchema {
  if (!cached) {
    cached = buildClientSchema(githubSchema.json as unknown as IntrospectionQuery);
  }
  return cached;
}

/** Contract violations of one GraphQL request (empty when GitHub would accept it). */
export function checkGraphqlRequest(query: string, variables: Record<string, unknown> = {}): string[] {
  const schema = getGitHubSchema();
  let document;
  try {
    document = parse(query);
  } catch (error) {
    return [`GraphQL syntax: ${(error as Error).message}`];
  }
  const errors = validate(schema, document).map((e) => `GraphQL: ${e.message}`);
  if (errors.length > 0) return errors;
  const operations = document.definitions.filter((d) => d.kind === "OperationDefinition");
  if (operations.length !== 1) return [`GraphQL: expected exactly one operation, got ${operations.length}`];
  const coerced = getVariableValues(schema, operations[0]!.variableDefinitions ?? [], variables);
  return (coerced.errors ?? []).map((e) => `GraphQL variables: ${e.message}`);
}
