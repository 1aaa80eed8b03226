import { HEADER_VARIABLE } from "../../core/config/gate-schemas.js";

/**
 * The values of a policy's `headersFromEnv` (header → environment variable of the app), for http gates
 * and scan reports. Only STAGEGATE_HTTP_* variables (the schema allows no other; checked again here,
 * where the value is read); a variable not set is an error naming it, never a value.
 */
export function headersFromEnv(variables: Readonly<Record<string, string>>, env: Readonly<Record<string, string | undefined>>): { headers: Record<string, string> } | { error: string } {
  const headers: Record<string, string> = {};
  for (const [header, variable] of Object.entries(variables)) {
    if (!HEADER_VARIABLE.test(variable)) return { error: `header ${header}: ${variable} is not a STAGEGATE_HTTP_* variable: refused` };
    const value = env[variable];
    if (value === undefined) return { error: `header ${header}: environment variable ${variable} is not set in the app` };
    headers[header] = value;
  }
  return { headers };
}
