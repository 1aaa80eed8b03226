import { z } from "zod";
import { configSchema } from "./config-schema.js";
import { policySchema } from "./policy-schema.js";

/**
 * JSON Schemas of stagegate.yaml and policy files, generated from the zod schemas (the single
 * source of truth) for editors (yaml-language-server) and other tools. Checked in under
 * policies/; `npm run schema` regenerates them and a test fails when they are stale.
 */

/** Where the published schemas live; the template's `# yaml-language-server: $schema=` lines point here. */
export const SCHEMA_BASE_URL = "https://raw.githubusercontent.com/stagegate/stagegate/main/policies/";

export type JsonSchema = Record<string, unknown>;

function generate(schema: z.ZodType, file: string, title: string): JsonSchema {
  // io "input": fields with defaults are optional, as users write them.
  const body = z.toJSONSchema(schema, { io: "input", target: "draft-2020-12", unrepresentable: "any" }) as JsonSchema;
  const { $schema, ...rest } = body;
  return { $schema, $id: `${SCHEMA_BASE_URL}${file}`, title, ...rest };
}

/** File name under policies/ → generated schema. */
export function buildJsonSchemas(): Record<"stagegate.schema.json" | "policy.schema.json", JsonSchema> {
  return {
    "stagegate.schema.json": generate(configSchema, "stagegate.schema.json", "Stagegate configuration (stagegate.yaml)"),
    "policy.schema.json": generate(policySchema, "policy.schema.json", "Stagegate policy (policies/<name>.yaml)"),
  };
}

/** Serialises a schema the way it is checked in (stable: two-space JSON plus a final newline). */
export function serializeJsonSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * Pointers of properties that have no description, walking nested objects, arrays, unions and
 * records. Every field a user can write must explain itself in the editor.
 */
export function findUndescribedFields(schema: unknown, path = ""): string[] {
  if (!schema || typeof schema !== "object") return [];
  const node = schema as Record<string, unknown>;
  const out: string[] = [];
  const properties = node.properties as Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(properties ?? {})) {
    const child = value as Record<string, unknown>;
    if (typeof child.description !== "string" || child.description.trim() === "") out.push(`${path}/${key}`);
    out.push(...findUndescribedFields(child, `${path}/${key}`));
  }
  for (const keyword of ["anyOf", "oneOf", "allOf"] as const) {
    const options = node[keyword];
    if (Array.isArray(options)) options.forEach((option, i) => out.push(...findUndescribedFields(option, `${path}/${keyword}/${i}`)));
  }
  if (node.items) out.push(...findUndescribedFields(node.items, `${path}/items`));
  if (node.additionalProperties && typeof node.additionalProperties === "object") out.push(...findUndescribedFields(node.additionalProperties, `${path}/*`));
  return out;
}
