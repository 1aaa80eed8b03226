/**
 * Start-up configuration of the GitHub App, read from environment variables and validated with zod.
 * Every missing or invalid variable is reported by name with what it should hold, then the process
 * exits 1 (`stagegate serve`): a misconfigured app never starts half-working.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { repoSchema } from "../core/config/common.js";
import { parseSealKey } from "../core/evidence/seal.js";

/** True when `value` parses as an evidence seal key (core/evidence/seal.ts). */
function isSealKey(value: string): boolean {
  try {
    parseSealKey(value);
    return true;
  } catch {
    return false;
  }
}

/** An evidence seal key variable: 32 bytes or more once decoded (the message says how to make one, never the value). */
const sealKey = (name: string) => z.string().refine(isSealKey, `${name} must hold at least 32 bytes (hex, base64:…, or text): openssl rand -hex 32`);

const levels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

export const appEnvSchema = z
  .object({
    APP_ID: z.string({ error: "APP_ID is required: the numeric App ID from the GitHub App's settings page" }).regex(/^\d+$/, "APP_ID must be the numeric App ID"),
    PRIVATE_KEY: z.string().optional().describe("PEM private key of the App (or base64 of it)."),
    PRIVATE_KEY_PATH: z.string().optional().describe("Path of the App's .pem private key."),
    WEBHOOK_SECRET: z.string({ error: "WEBHOOK_SECRET is required: the webhook secret set in the GitHub App's settings" }).min(16, "WEBHOOK_SECRET must be at least 16 characters"),
    STAGEGATE_EVIDENCE_KEY: sealKey("STAGEGATE_EVIDENCE_KEY").optional().describe("Key that seals promotion PRs' evidence blocks (32+ bytes: hex, base64:…, or text). Default: derived from the App's private key."),
    STAGEGATE_EVIDENCE_PREVIOUS_KEYS: z
      .string()
      .refine((value) => value.split(",").every((part) => !part.trim() || isSealKey(part)), "STAGEGATE_EVIDENCE_PREVIOUS_KEYS: each comma-separated key must hold at least 32 bytes")
      .optional()
      .describe("Earlier evidence keys, comma-separated: blocks sealed with them still verify while a key is rotated."),
    STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH: z.string().optional().describe("Path of the App's previous .pem private key while it is rotated: blocks sealed with the key derived from it still verify."),
    STAGEGATE_INTAKE_SECRET: z.string().min(32, "STAGEGATE_INTAKE_SECRET must be at least 32 characters (HMAC key of POST /stagegate/intake)").optional(),
    STAGEGATE_ENVIRONMENTS_REPO: repoSchema.optional().describe("Default environments repository (owner/name) for intake from other repositories."),
    GHE_HOST: z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "GHE_HOST must be a host name such as github.example.com").optional(),
    GHE_PROTOCOL: z.enum(["https", "http"]).default("https"),
    STAGEGATE_REGISTRY_HOST: z.string().regex(/^[a-z0-9.-]+(:\d+)?$/).default("ghcr.io").describe("Container registry host of registry_package events."),
    LOG_LEVEL: z.enum(levels, { error: `LOG_LEVEL must be one of ${levels.join(", ")}` }).default("info"),
    LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default("0.0.0.0"),
    WEBHOOK_PATH: z.string().startsWith("/").default("/api/github/webhooks"),
    WEBHOOK_PROXY_URL: z.url().optional(),
    STAGEGATE_SIGSTORE_TRUSTED_ROOT: z.string().optional().describe("Path of a Sigstore trusted root (JSON lines, as `gh attestation trusted-root` prints) for provenance gates; without it provenance gates fail closed."),
    STAGEGATE_DASHBOARD: z.enum(["on", "off"], { error: "STAGEGATE_DASHBOARD must be on or off" }).default("on").describe("Keep the 'Stagegate dashboard' issue up to date on tick passes."),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, "REDIS_URL must be a redis:// or rediss:// URL").optional(),
  });

/** Validated configuration; the private key is resolved to PEM text. */
export type AppEnv = Omit<z.infer<typeof appEnvSchema>, "PRIVATE_KEY" | "PRIVATE_KEY_PATH" | "STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH"> & { privateKey: string; previousPrivateKey?: string };

export type AppEnvResult = { ok: true; env: AppEnv } | { ok: false; errors: string[] };

/** Decodes a PEM given inline, with escaped newlines, or base64-encoded (single-line env vars). */
export function decodePrivateKey(value: string): string | undefined {
  const text = value.includes("-----BEGIN") ? value.replace(/\\n/g, "\n") : Buffer.from(value, "base64").toString("utf8");
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) ? text : undefined;
}

/**
 * True when the App is still to be registered: none of its credentials (APP_ID, PRIVATE_KEY,
 * PRIVATE_KEY_PATH, WEBHOOK_SECRET) is set, outside production. `stagegate serve` then runs Probot's
 * setup (the App registered from app.yml, its credentials written to .env). Any one of them set means
 * a configuration to validate; in production a missing one is always an error.
 */
export function needsRegistration(source: Record<string, string | undefined>): boolean {
  if (source.NODE_ENV === "production") return false;
  return ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET"].every((name) => !source[name]);
}

/** Validates `source` (process.env); `readFile` is injected for tests. */
export function parseAppEnv(source: Record<string, string | undefined>, readFile: (path: string) => string = (p) => readFileSync(p, "utf8")): AppEnvResult {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = appEnvSchema.safeParse(cleaned);
  const errors = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`);
  // Checked beside the schema so it is reported together with every other missing variable.
  if (!cleaned.PRIVATE_KEY && !cleaned.PRIVATE_KEY_PATH) errors.push("PRIVATE_KEY: PRIVATE_KEY or PRIVATE_KEY_PATH is required: the App's private key (PEM, base64 of it, or its path)");
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  const { PRIVATE_KEY, PRIVATE_KEY_PATH, STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH, ...rest } = parsed.data;
  const hint = "paste the .pem content, base64 of it, or its path";
  const current = PRIVATE_KEY !== undefined ? readPem("PRIVATE_KEY", PRIVATE_KEY, undefined, hint) : readPem("PRIVATE_KEY_PATH", PRIVATE_KEY_PATH!, readFile, hint);
  if ("error" in current) return { ok: false, errors: [current.error] };
  if (STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH === undefined) return { ok: true, env: { ...rest, privateKey: current.pem } };
  // The App's key before a rotation: read and checked like the current one, never logged.
  const previous = readPem("STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH", STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH, readFile, "the path of the App's previous .pem");
  if ("error" in previous) return { ok: false, errors: [previous.error] };
  return { ok: true, env: { ...rest, privateKey: current.pem, previousPrivateKey: previous.pem } };
}

/**
 * The PEM text of a private key variable: `value` itself, or with `readFile` the file it names; the
 * error names the variable (and the path), never the content.
 */
function readPem(variable: string, value: string, readFile: ((path: string) => string) | undefined, hint: string): { pem: string } | { error: string } {
  let raw = value;
  if (readFile) {
    try {
      raw = readFile(value);
    } catch (error) {
      return { error: `${variable}: cannot read ${value}: ${(error as Error).message}` };
    }
  }
  const pem = decodePrivateKey(raw);
  return pem ? { pem } : { error: `${variable}: not a PEM private key (${hint})` };
}

/** REST base URL for GitHub Enterprise Server, or undefined for github.com. */
export function getBaseUrl(env: Pick<AppEnv, "GHE_HOST" | "GHE_PROTOCOL">): string | undefined {
  return env.GHE_HOST ? `${env.GHE_PROTOCOL}://${env.GHE_HOST}/api/v3` : undefined;
}
