/**
 * `npm run schema`: regenerates policies/stagegate.schema.json, policies/policy.schema.json and the
 * field reference in docs/configuration.md from the zod schemas. test/unit/config/schema.test.ts
 * fails when any of them is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildJsonSchemas, serializeJsonSchema } from "../src/core/config/json-schema.js";
import type { JsonSchema } from "../src/core/config/json-schema.js";
import { DURATION_PATTERN } from "../src/core/config/duration.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DOCS_FILE = "docs/configuration.md";
export const BEGIN_MARKER = "<!-- BEGIN GENERATED REFERENCE (npm run schema) -->";
export const END_MARKER = "<!-- END GENERATED REFERENCE -->";

type Node = Record<string, unknown>;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function typeOf(node: Node): string {
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (Array.isArray(node.enum)) return node.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" | ");
  const union = (node.anyOf ?? node.oneOf) as Node[] | undefined;
  if (union) return union.every((o) => o.properties) ? "one of the maps below" : union.map((o) => typeOf(o)).join(" or ");
  switch (node.type) {
    case "array":
      return `list of ${typeOf((node.items ?? {}) as Node)}`;
    case "object":
      if (node.properties) return "map";
      return node.additionalProperties && typeof node.additionalProperties === "object" ? `map of ${typeOf(node.additionalProperties as Node)}` : "map";
    case "integer":
      return "integer";
    case "string":
      if (node.format === "date-time") return "date-time";
      if (node.format === "uri") return "URL";
      return formatOfPattern(node.pattern);
    default:
      return typeof node.type === "string" ? node.type : "any";
  }
}

/** Names the formats of docs/configuration.md's format table instead of printing their regexes. */
function formatOfPattern(pattern: unknown): string {
  if (typeof pattern !== "string") return "string";
  if (pattern === DURATION_PATTERN.source) return "duration";
  if (pattern.includes("[a-z0-9-]{0,61}")) return "name";
  if (pattern.startsWith("^sha256:")) return "digest";
  if (pattern.startsWith("^(?!\\/)")) return "path";
  if (pattern.startsWith("^@?")) return "user or team";
  if (pattern.startsWith("^[A-Za-z0-9-]{1,39}\\/")) return "owner/name";
  if (pattern.startsWith("^[a-z0-9]+([._-]")) return "image";
  return "string";
}

function limits(node: Node): string {
  const parts: string[] = [];
  if (typeof node.minimum === "number") parts.push(`≥ ${node.minimum}`);
  if (typeof node.maximum === "number" && node.maximum < Number.MAX_SAFE_INTEGER) parts.push(`≤ ${node.maximum}`);
  if (typeof node.minItems === "number" && node.minItems > 0) parts.push(`at least ${node.minItems} item${node.minItems === 1 ? "" : "s"}`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

interface Section {
  title: string;
  rows: string[];
}

/** Renders the properties of an object schema as table rows, descending into nested maps and lists of maps. */
function renderObject(node: Node, prefix: string, sections: Section[], rows: string[], seenUnions: Map<string, string>): void {
  const required = new Set((node.required as string[] | undefined) ?? []);
  for (const [key, value] of Object.entries((node.properties ?? {}) as Record<string, Node>)) {
    const path = `${prefix}${key}`;
    const def = value.default !== undefined ? `\`${JSON.stringify(value.default)}\`` : "";
    rows.push(`| \`${path}\` | ${cell(typeOf(value))}${limits(value)} | ${required.has(key) ? "yes" : ""} | ${cell(def)} | ${cell(String(value.description ?? ""))} |`);
    const items = value.type === "array" ? ((value.items ?? {}) as Node) : undefined;
    const union = (items?.oneOf ?? items?.anyOf) as Node[] | undefined;
    if (union && union.every((o) => o.properties)) {
      const key = JSON.stringify(union);
      const existing = seenUnions.get(key);
      if (existing) {
        rows.push(`| \`${path}[]\` | | | | each entry as in ${existing} |`);
        continue;
      }
      seenUnions.set(key, `\`${path}\``);
      renderUnion(union, path, sections, seenUnions);
    } else if (items?.properties) renderObject(items, `${path}[].`, sections, rows, seenUnions);
    else if (value.type === "object" && value.properties) renderObject(value, `${path}.`, sections, rows, seenUnions);
    else if (value.type === "object" && value.additionalProperties && typeof value.additionalProperties === "object") {
      // A record (e.g. targets: environment → list of files): document its values under `<key>`.
      const entry = value.additionalProperties as Node;
      const entryItems = entry.type === "array" ? (entry.items as Node | undefined) : entry;
      if (entryItems?.properties) renderObject(entryItems, `${path}.<key>${entry.type === "array" ? "[]" : ""}.`, sections, rows, seenUnions);
    }
  }
}

/** A list whose entries are one of several shapes (gates, windows): one sub-table per shape. */
function renderUnion(options: Node[], path: string, sections: Section[], seenUnions: Map<string, string>): void {
  for (const option of options) {
    const discriminator = Object.entries((option.properties ?? {}) as Record<string, Node>).find(([, v]) => v.const !== undefined);
    const title = discriminator ? `\`${path}[]\` with \`${discriminator[0]}: ${String(discriminator[1].const)}\`` : `\`${path}[]\` entry with ${Object.keys((option.properties ?? {}) as Node).join(", ")}`;
    const section: Section = { title, rows: [] };
    sections.push(section);
    if (discriminator && typeof discriminator[1].description === "string") section.rows.push(`_${discriminator[1].description}_`, "");
    section.rows.push("| field | type | required | default | description |", "|---|---|---|---|---|");
    renderObject(option, `${path}[].`, sections, section.rows, seenUnions);
  }
}

function renderSchema(schema: JsonSchema, heading: string): string {
  const sections: Section[] = [];
  const rows = ["| field | type | required | default | description |", "|---|---|---|---|---|"];
  renderObject(schema, "", sections, rows, new Map());
  const out = [`### ${heading}`, "", String(schema.description ?? ""), "", ...rows, ""];
  for (const s of sections) out.push(`#### ${s.title}`, "", ...s.rows, "");
  return out.join("\n");
}

/** The generated part of docs/configuration.md. */
export function renderReference(): string {
  const schemas = buildJsonSchemas();
  return [
    BEGIN_MARKER,
    "<!-- Do not edit by hand: generated from src/core/config/*.ts by `npm run schema`. -->",
    "",
    renderSchema(schemas["stagegate.schema.json"], "`stagegate.yaml`"),
    renderSchema(schemas["policy.schema.json"], "`policies/<name>.yaml`"),
    END_MARKER,
  ].join("\n");
}

/** docs/configuration.md with its generated section replaced. Throws when the markers are missing. */
export function updateDocs(current: string): string {
  const start = current.indexOf(BEGIN_MARKER);
  const end = current.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`${DOCS_FILE} must contain ${BEGIN_MARKER} and ${END_MARKER}`);
  return current.slice(0, start) + renderReference() + current.slice(end + END_MARKER.length);
}

/** Every generated file: repo path → expected content. */
export function generatedFiles(readFile: (path: string) => string): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, schema] of Object.entries(buildJsonSchemas())) files.set(`policies/${name}`, serializeJsonSchema(schema));
  files.set(DOCS_FILE, updateDocs(readFile(DOCS_FILE)));
  return files;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [path, content] of generatedFiles((p) => readFileSync(join(ROOT, p), "utf8"))) {
    writeFileSync(join(ROOT, path), content);
    console.log(`wrote ${path}`);
  }
}
