/** A plain map (JSON object), not an array or null. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The expression-language name of a value's type, for error messages. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
      return "number";
    case "string":
      return "string";
    case "object":
      return "map";
    default:
      return typeof value;
  }
}
