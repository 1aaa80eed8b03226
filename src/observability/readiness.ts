/**
 * Readiness checks behind `/readyz`. A pod is ready when it could do its job: the App's private key loads and
 * signs a JWT, the configuration is valid and, when asked for (`STAGEGATE_READYZ_GITHUB=true`), GitHub answers
 * `GET /app` with that JWT. The GitHub check is off by default: a GitHub outage would take every replica out of
 * the Service at once and turn GitHub's webhook deliveries into 503s instead of letting the handlers retry.
 */
import githubAppJwt from "universal-github-app-jwt";

/** One named check. It throws (or rejects) with a human-readable reason when not ready. */
export interface ReadinessCheck {
  name: string;
  run(signal: AbortSignal): Promise<void> | void;
}

export interface CheckReport {
  ok: boolean;
  durationMs: number;
  /** Why it failed; never contains secrets (messages come from our own checks or are redacted by the caller). */
  error?: string;
}

export interface ReadinessReport {
  ok: boolean;
  checks: Record<string, CheckReport>;
}

/** Runs all checks concurrently, each bounded by `timeoutMs` (default 5 s). */
export async function runReadinessChecks(checks: readonly ReadinessCheck[], options: { timeoutMs?: number; now?: () => number } = {}): Promise<ReadinessReport> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const now = options.now ?? (() => performance.now());
  const entries = await Promise.all(
    checks.map(async (check): Promise<[string, CheckReport]> => {
      const started = now();
      const controller = new AbortController();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        await Promise.race([Promise.resolve().then(() => check.run(controller.signal)), timeout]);
        return [check.name, { ok: true, durationMs: Math.round(now() - started) }];
      } catch (error) {
        return [check.name, { ok: false, durationMs: Math.round(now() - started), error: error instanceof Error ? error.message : String(error) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok: entries.every(([, report]) => report.ok), checks: Object.fromEntries(entries) };
}

/** Credentials as Probot uses them: the numeric App ID and the PEM private key (PKCS#1 or PKCS#8). */
export interface AppCredentials {
  appId: number | string;
  privateKey: string;
}

/** The private key parses and signs an App JWT (what every installation token request starts with). */
export function appJwtCheck(credentials: AppCredentials): ReadinessCheck {
  return {
    name: "app-jwt",
    async run() {
      const appId = Number(credentials.appId);
      if (!Number.isInteger(appId) || appId <= 0) throw new Error("APP_ID is not a positive integer");
      if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(credentials.privateKey)) throw new Error("private key is not a PEM private key");
      try {
        await githubAppJwt({ id: appId, privateKey: credentials.privateKey });
      } catch {
        // The underlying error may quote key material: report only that signing failed.
        throw new Error("private key could not sign an App JWT");
      }
    },
  };
}

/** Wraps a synchronous or async validation (e.g. the parsed environment/config) as a check named `name`. */
export function validationCheck(name: string, validate: () => void | Promise<void>): ReadinessCheck {
  return { name, run: () => validate() };
}

export interface GithubReachabilityOptions extends AppCredentials {
  /** REST base URL: `https://api.github.com` or `https://HOST/api/v3` for GitHub Enterprise Server. */
  baseUrl?: string;
  /** Per-request timeout; default 2000 ms. */
  timeoutMs?: number;
  /** How long a result (success or failure) is reused; default 30 s, so probes every few seconds cost one request per 30 s. */
  cacheMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * `GET /app` authenticated with a freshly minted App JWT: proves network egress to GitHub, TLS, and that
 * GitHub accepts this App ID + key pair. The result is cached and concurrent probes share one request.
 */
export function githubReachabilityCheck(options: GithubReachabilityOptions): ReadinessCheck {
  const baseUrl = (options.baseUrl ?? "https://api.github.com").replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? 2000;
  const cacheMs = options.cacheMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let cached: { at: number; result: Promise<void> } | undefined;

  const probe = async (): Promise<void> => {
    const { token } = await githubAppJwt({ id: Number(options.appId), privateKey: options.privateKey });
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}/app`, {
        headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "user-agent": "stagegate-readyz" },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new Error(`GitHub unreachable at ${baseUrl}: ${error instanceof Error ? error.message : String(error)}`);
    }
    await response.body?.cancel();
    if (response.status === 401) throw new Error("GitHub rejected the App JWT (401): check APP_ID and PRIVATE_KEY");
    if (!response.ok) throw new Error(`GitHub answered GET /app with ${response.status}`);
  };

  return {
    name: "github",
    run() {
      if (cached === undefined || now() - cached.at >= cacheMs) {
        const result = probe();
        result.catch(() => undefined); // observed by every caller; avoid an unhandled rejection while cached
        cached = { at: now(), result };
      }
      return cached.result;
    },
  };
}

/** `STAGEGATE_READYZ_GITHUB=true` (or `1`) turns on the GitHub reachability check. */
export function isGithubReadinessEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return /^(true|1|yes)$/i.test(env.STAGEGATE_READYZ_GITHUB ?? "");
}
