/**
 * Keeps secrets out of logs. Two layers, because secrets turn up where nobody planned: pino `redact` paths
 * censor the known places (headers, credentials in options objects), and a `streamWrite` hook scrubs the final
 * JSON line for anything that looks like a secret wherever it is (an error message quoting a token, a PEM in a
 * stack trace, a header logged under an unexpected key). Use `loggerOptions()` for every pino logger the
 * server creates; `redactSecrets()` for text shown elsewhere (check-run output, PR comments).
 */
import type { LoggerOptions } from "pino";

/** What a censored value is replaced with. */
export const REDACTED = "[REDACTED]";

/** pino/fast-redact paths for secrets at known locations (one wildcard level each; the line scrub covers the rest). */
export const REDACT_PATHS: readonly string[] = [
  ...["authorization", "cookie", "x-hub-signature", "x-hub-signature-256", "x-stagegate-signature-256"].flatMap((header) => [
    `headers["${header}"]`,
    `*.headers["${header}"]`,
    `req.headers["${header}"]`,
    `request.headers["${header}"]`,
    `err.request.headers["${header}"]`,
    `error.request.headers["${header}"]`,
  ]),
  ...["token", "privateKey", "private_key", "secret", "webhookSecret", "clientSecret", "password", "jwt"].flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/** JSON keys whose string values are always secrets, whatever the nesting. */
const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|x-hub-signature(-256)?|x-stagegate-signature-256|token|access_token|accessToken|refresh_token|jwt|private_?key|privateKey|secret|webhook_?secret|webhookSecret|client_?secret|clientSecret|password|passphrase)$/i;

/** Secret-looking text, wherever it appears. Order matters: PEM blocks first, they may contain anything. */
const SECRET_PATTERNS: readonly RegExp[] = [
  // PEM private keys, raw or JSON-escaped ("\\n"), complete or cut off
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----|[A-Za-z0-9+/=\s\\n]*)/g,
  // GitHub tokens: installation (ghs_, including the stateless `ghs_<APPID>_<JWT>` format), user-to-server (ghu_),
  // OAuth (gho_), PAT (ghp_, github_pat_), refresh (ghr_)
  /\b(?:gh[opsur]_[A-Za-z0-9_.-]{16,}|github_pat_[A-Za-z0-9_]{22,})/g,
  // legacy installation tokens "v1.<40 hex>"
  /\bv1\.[0-9a-f]{40}\b/g,
  // JWTs (App JWTs, OIDC tokens)
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // HMAC signatures of webhook / intake bodies
  /\bsha(?:1|256)=[0-9a-f]{40,64}\b/gi,
  // credentials in Authorization values and URLs
  /\b(Bearer|token|Basic)\s+[A-Za-z0-9._~+/=-]{16,}/g,
  /(?<=[a-z][a-z0-9+.-]*:\/\/[^\s/:@"]*:)[^\s@/"]+(?=@)/gi,
];

/** Replaces every secret-looking substring of `text` with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, scheme: unknown) => (typeof scheme === "string" && /^(Bearer|token|Basic)$/.test(scheme) ? `${scheme} ${REDACTED}` : REDACTED));
  }
  return out;
}

/** Scrubs one serialized JSON log line: values of secret keys, then secret-looking text anywhere. */
export function redactLogLine(line: string): string {
  // Keys start right after `{` or `,` (inside a JSON string a quote is always escaped): without that
  // anchor every quote of a value was a start, quadratic on a value of many escaped quotes (1.3 s for 30,000).
  const byKey = line.replace(/(?<=[{,])"((?:[^"\\]|\\.)*)":"((?:[^"\\]|\\.)*)"/g, (whole, key: string) => (SECRET_KEY.test(key) ? `"${key}":"${REDACTED}"` : whole));
  return redactSecrets(byKey);
}

/**
 * pino options with both redaction layers. Pass your own options to merge (level, name, messageKey…);
 * a `hooks.streamWrite` you pass runs after the scrub.
 */
export function loggerOptions(base: LoggerOptions = {}): LoggerOptions {
  const next = base.hooks?.streamWrite;
  return {
    ...base,
    redact: { paths: [...REDACT_PATHS, ...redactPathsOf(base.redact)], censor: REDACTED },
    hooks: {
      ...base.hooks,
      streamWrite: (line: string) => {
        const scrubbed = redactLogLine(line);
        return next ? next(scrubbed) : scrubbed;
      },
    },
  };
}

function redactPathsOf(redact: LoggerOptions["redact"]): string[] {
  if (redact === undefined) return [];
  return Array.isArray(redact) ? [...redact] : [...redact.paths];
}
