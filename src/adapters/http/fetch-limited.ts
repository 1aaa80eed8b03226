import { assertSafeUrl, UnsafeUrlError, type LookupFn } from "./ssrf.js";

export type FetchFn = typeof fetch;

export interface GuardedRequest {
  method?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
  allowPrivateNetwork: boolean;
  /**
   * Grant `allowPrivateNetwork` to the first URL's origin only: a redirect elsewhere is checked as a
   * public request (the URL came from someone else, and an open redirect on the trusted host must not
   * reach the internal network).
   */
  privateNetworkFirstOriginOnly?: boolean;
  /** Redirects followed, each re-checked by the SSRF guard (default 3). */
  maxRedirects?: number;
  fetch?: FetchFn;
  lookup?: LookupFn;
}

/** Headers kept when a redirect leaves the first URL's origin. */
const SAFE_ON_REDIRECT = new Set(["accept", "user-agent"]);

/** The URL answered but not usefully (timeout, too large, too many redirects). */
export class HttpFetchError extends Error {
  override name = "HttpFetchError";
}

async function readLimited(response: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? "NaN");
  if (declared > maxBytes) throw new HttpFetchError(`response body of ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    if (signal.aborted) throw new HttpFetchError("timed out reading the response");
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new HttpFetchError(`response body exceeds the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * GET/POST/HEAD a URL through the SSRF guard: every hop (redirects are followed by hand) is resolved
 * and checked first, the whole exchange has one timeout, and the body is read up to `maxBytes`.
 * Known limit: fetch resolves the name again when connecting, so a DNS answer that changes between
 * the check and the connection (rebinding with a zero TTL) is not caught.
 */
export async function fetchGuarded(url: string, request: GuardedRequest): Promise<{ url: string; status: number; contentType: string | null; text: string }> {
  const doFetch = request.fetch ?? fetch;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  let current = url;
  const origin = new URL(url).origin;
  try {
    for (let hop = 0; ; hop++) {
      const sameOrigin = new URL(current).origin === origin;
      const allowPrivateNetwork = request.allowPrivateNetwork && (sameOrigin || !request.privateNetworkFirstOriginOnly);
      await assertSafeUrl(current, { allowPrivateNetwork, ...(request.lookup ? { lookup: request.lookup } : {}) });
      // A redirect to another origin gets none of the caller's headers but accept and user-agent (a
      // token for the gate's host must not reach wherever it redirects to), as browsers drop Authorization.
      const headers = sameOrigin ? (request.headers ?? {}) : Object.fromEntries(Object.entries(request.headers ?? {}).filter(([name]) => SAFE_ON_REDIRECT.has(name.toLowerCase())));
      let response: Response;
      try {
        response = await doFetch(current, { method: request.method ?? "GET", headers, redirect: "manual", signal: controller.signal });
      } catch (error) {
        if (controller.signal.aborted) throw new HttpFetchError(`timed out after ${request.timeoutMs} ms`);
        throw new HttpFetchError(`request failed: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)}`);
      }
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        if (hop >= (request.maxRedirects ?? 3)) throw new HttpFetchError(`more than ${request.maxRedirects ?? 3} redirects`);
        current = new URL(location, current).toString();
        continue;
      }
      const text = request.method === "HEAD" ? "" : await readLimited(response, request.maxBytes, controller.signal);
      return { url: current, status: response.status, contentType: response.headers.get("content-type"), text };
    }
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof UnsafeUrlError)) throw new HttpFetchError(`timed out after ${request.timeoutMs} ms`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
