// fetchScanReport: the report an artifact links, read through the SSRF guard, parsed, kept 10 minutes.
import { beforeEach, describe, expect, it } from "vitest";
import { clearScanReportCache, fetchScanReport } from "../../../src/adapters/http/index.js";
import { vulnerabilitiesGateSchema } from "../../../src/core/config/index.js";
import { reportAccess, reportLabel } from "../../../src/services/vulnerability-facts.js";

const publicLookup = async () => [{ address: "93.184.216.34", family: 4 }];
const privateLookup = async () => [{ address: "10.0.0.7", family: 4 }];

function fakeFetch(respond: (url: string) => Response) {
  const calls: string[] = [];
  const headers: Record<string, string>[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push(String(url));
    headers.push(Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])));
    return respond(String(url));
  }) as typeof globalThis.fetch;
  return { fetch, calls, headers };
}

beforeEach(() => clearScanReportCache());

describe("fetchScanReport", () => {
  it("parses the JSON the URL answers, and reads it again only after 10 minutes", async () => {
    let now = 1_000_000;
    const { fetch, calls } = fakeFetch(() => new Response(JSON.stringify({ Results: [] }), { status: 200 }));
    const deps = { fetch, lookup: publicLookup, now: () => now };
    expect(await fetchScanReport("https://scans.example.com/a.json", undefined, deps)).toEqual({ document: { Results: [] } });
    now += 9 * 60_000;
    expect(await fetchScanReport("https://scans.example.com/a.json", undefined, deps)).toEqual({ document: { Results: [] } });
    expect(calls).toHaveLength(1);
    now += 2 * 60_000;
    await fetchScanReport("https://scans.example.com/a.json", undefined, deps);
    expect(calls).toHaveLength(2);
  });

  it("says what went wrong: a status other than 200, a body that is not JSON, one too large; nothing is kept", async () => {
    const notFound = fakeFetch(() => new Response("gone", { status: 404 }));
    expect(await fetchScanReport("https://scans.example.com/b.json", undefined, { fetch: notFound.fetch, lookup: publicLookup })).toEqual({ error: "answered 404" });
    const html = fakeFetch(() => new Response("<html>login</html>", { status: 200 }));
    expect(await fetchScanReport("https://scans.example.com/b.json", undefined, { fetch: html.fetch, lookup: publicLookup })).toEqual({ error: "is not JSON (expected a SARIF 2.1.0 or Trivy JSON report)" });
    const huge = fakeFetch(() => new Response("{}", { status: 200, headers: { "content-length": String(64 * 1024 * 1024) } }));
    expect(await fetchScanReport("https://scans.example.com/b.json", undefined, { fetch: huge.fetch, lookup: publicLookup })).toEqual({ error: expect.stringMatching(/exceeds the 33554432-byte limit/) });
  });

  it("never requests a private or metadata address (the URL comes from whoever sent the artifact)", async () => {
    const { fetch, calls } = fakeFetch(() => new Response("{}", { status: 200 }));
    expect(await fetchScanReport("https://scans.internal/a.json", undefined, { fetch, lookup: privateLookup })).toEqual({ error: expect.stringMatching(/10\.0\.0\.7 is a private \(RFC 1918\) address/) });
    expect(await fetchScanReport("http://169.254.169.254/latest/meta-data/", undefined, { fetch, lookup: publicLookup })).toEqual({ error: expect.stringMatching(/metadata/) });
    expect(calls).toEqual([]);
  });
});

describe("reports on an origin the policy names (report.origins)", () => {
  const access = { headersFromEnv: { Authorization: "STAGEGATE_HTTP_SCAN_TOKEN" }, allowPrivateNetwork: true };
  const env = { STAGEGATE_HTTP_SCAN_TOKEN: "Bearer s3cret", PRIVATE_KEY: "-----BEGIN" };

  it("sends the named variables as headers and may read a private address", async () => {
    const { fetch, headers } = fakeFetch(() => new Response("{}", { status: 200 }));
    expect(await fetchScanReport("https://scans.internal/a.json", access, { fetch, lookup: privateLookup, env })).toEqual({ document: {} });
    expect(headers[0]).toMatchObject({ authorization: "Bearer s3cret" });
  });

  it("drops the headers on a redirect to another origin", async () => {
    const { fetch, calls, headers } = fakeFetch((url) => (url.startsWith("https://scans.internal/") ? new Response(null, { status: 302, headers: { location: "https://elsewhere.example.com/a.json" } }) : new Response("{}", { status: 200 })));
    const lookup = async (host: string) => (host === "scans.internal" ? privateLookup() : publicLookup());
    expect(await fetchScanReport("https://scans.internal/a.json", access, { fetch, lookup: lookup as never, env })).toEqual({ document: {} });
    expect(calls).toEqual(["https://scans.internal/a.json", "https://elsewhere.example.com/a.json"]);
    expect(headers[1]?.authorization).toBeUndefined();
  });

  it("refuses a variable that is not STAGEGATE_HTTP_*, names an unset one, and never shows a value", async () => {
    const { fetch, calls } = fakeFetch(() => new Response("{}", { status: 200 }));
    expect(await fetchScanReport("https://scans.internal/a.json", { headersFromEnv: { Authorization: "PRIVATE_KEY" }, allowPrivateNetwork: true }, { fetch, lookup: privateLookup, env })).toEqual({ error: "header Authorization: PRIVATE_KEY is not a STAGEGATE_HTTP_* variable: refused" });
    expect(await fetchScanReport("https://scans.internal/a.json", access, { fetch, lookup: privateLookup, env: {} })).toEqual({ error: "header Authorization: environment variable STAGEGATE_HTTP_SCAN_TOKEN is not set in the app" });
    expect(calls).toEqual([]);
  });

  it("does not serve a report read with credentials to a read without them, or with other ones", async () => {
    const { fetch, calls } = fakeFetch(() => new Response("{}", { status: 200 }));
    await fetchScanReport("https://scans.example.com/a.json", access, { fetch, lookup: publicLookup, env });
    await fetchScanReport("https://scans.example.com/a.json", undefined, { fetch, lookup: publicLookup, env });
    await fetchScanReport("https://scans.example.com/a.json", access, { fetch, lookup: publicLookup, env: { STAGEGATE_HTTP_SCAN_TOKEN: "Bearer other" } });
    expect(calls).toHaveLength(3);
    // The same credentials again: from the cache.
    await fetchScanReport("https://scans.example.com/a.json", access, { fetch, lookup: publicLookup, env });
    expect(calls).toHaveLength(3);
  });

  it("an open redirect on the trusted origin does not reach the internal network elsewhere", async () => {
    const lookup = async (host: string) => [{ address: host === "scans.acme.example" ? "93.184.216.34" : "10.0.0.9", family: 4 }];
    const { fetch, calls } = fakeFetch((url) => (url.startsWith("https://scans.acme.example/") ? new Response(null, { status: 302, headers: { location: "http://internal-admin.corp/secrets" } }) : new Response("{}", { status: 200 })));
    const result = await fetchScanReport("https://scans.acme.example/a.json", access, { fetch, lookup: lookup as never, env });
    expect(result).toEqual({ error: expect.stringMatching(/10\.0\.0\.9 is a private/) });
    expect(calls).toEqual(["https://scans.acme.example/a.json"]);
  });

  it("grants a gate's access to its origins only: another origin gets none", () => {
    const gates = [vulnerabilitiesGateSchema.parse({ gate: "vulnerabilities", max: { critical: 0 }, report: { origins: ["https://scans.acme.example"], headersFromEnv: { Authorization: "STAGEGATE_HTTP_SCAN_TOKEN" } } })];
    expect(reportAccess("https://scans.acme.example/r/1.sarif?sig=x", gates)).toEqual({ headersFromEnv: { Authorization: "STAGEGATE_HTTP_SCAN_TOKEN" }, allowPrivateNetwork: false });
    expect(reportAccess("https://attacker.example/r/1.sarif", gates)).toBeUndefined();
    expect(reportAccess("https://scans.acme.example.attacker.example/r.sarif", gates)).toBeUndefined();
    expect(reportAccess("not a url", gates)).toBeUndefined();
  });

  it("accepts origins only (no path), and STAGEGATE_HTTP_* variables only", () => {
    const parse = (report: unknown) => vulnerabilitiesGateSchema.safeParse({ gate: "vulnerabilities", max: {}, report }).success;
    expect(parse({ origins: ["https://scans.acme.example:8443"] })).toBe(true);
    expect(parse({ origins: ["https://scans.acme.example/reports"] })).toBe(false);
    expect(parse({ origins: ["https://scans.acme.example/"] })).toBe(false);
    expect(parse({ origins: ["ftp://scans.acme.example"] })).toBe(false);
    expect(parse({ origins: [] })).toBe(false);
    expect(parse({ origins: ["https://scans.acme.example"], headersFromEnv: { Authorization: "WEBHOOK_SECRET" } })).toBe(false);
  });
});

describe("reportLabel", () => {
  it("names a report without its query or fragment (a pre-signed URL's signature is a secret)", () => {
    expect(reportLabel("https://bucket.s3.amazonaws.com/scan.sarif?X-Amz-Signature=abc#x")).toBe("https://bucket.s3.amazonaws.com/scan.sarif");
  });
});
