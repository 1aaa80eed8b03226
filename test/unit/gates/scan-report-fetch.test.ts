// fetchScanReport: the report an artifact links, read through the SSRF guard, parsed, kept 10 minutes.
import { beforeEach, describe, expect, it } from "vitest";
import { clearScanReportCache, fetchScanReport } from "../../../src/adapters/http/index.js";
import { reportLabel } from "../../../src/services/vulnerability-facts.js";

const publicLookup = async () => [{ address: "93.184.216.34", family: 4 }];
const privateLookup = async () => [{ address: "10.0.0.7", family: 4 }];

function fakeFetch(respond: () => Response) {
  const calls: string[] = [];
  const fetch = (async (url: string | URL | Request) => (calls.push(String(url)), respond())) as typeof globalThis.fetch;
  return { fetch, calls };
}

beforeEach(() => clearScanReportCache());

describe("fetchScanReport", () => {
  it("parses the JSON the URL answers, and reads it again only after 10 minutes", async () => {
    let now = 1_000_000;
    const { fetch, calls } = fakeFetch(() => new Response(JSON.stringify({ Results: [] }), { status: 200 }));
    const deps = { fetch, lookup: publicLookup, now: () => now };
    expect(await fetchScanReport("https://scans.example.com/a.json", deps)).toEqual({ document: { Results: [] } });
    now += 9 * 60_000;
    expect(await fetchScanReport("https://scans.example.com/a.json", deps)).toEqual({ document: { Results: [] } });
    expect(calls).toHaveLength(1);
    now += 2 * 60_000;
    await fetchScanReport("https://scans.example.com/a.json", deps);
    expect(calls).toHaveLength(2);
  });

  it("says what went wrong: a status other than 200, a body that is not JSON, one too large; nothing is kept", async () => {
    const notFound = fakeFetch(() => new Response("gone", { status: 404 }));
    expect(await fetchScanReport("https://scans.example.com/b.json", { fetch: notFound.fetch, lookup: publicLookup })).toEqual({ error: "answered 404" });
    const html = fakeFetch(() => new Response("<html>login</html>", { status: 200 }));
    expect(await fetchScanReport("https://scans.example.com/b.json", { fetch: html.fetch, lookup: publicLookup })).toEqual({ error: "is not JSON (expected a SARIF 2.1.0 or Trivy JSON report)" });
    const huge = fakeFetch(() => new Response("{}", { status: 200, headers: { "content-length": String(64 * 1024 * 1024) } }));
    expect(await fetchScanReport("https://scans.example.com/b.json", { fetch: huge.fetch, lookup: publicLookup })).toEqual({ error: expect.stringMatching(/exceeds the 33554432-byte limit/) });
  });

  it("never requests a private or metadata address (the URL comes from whoever sent the artifact)", async () => {
    const { fetch, calls } = fakeFetch(() => new Response("{}", { status: 200 }));
    expect(await fetchScanReport("https://scans.internal/a.json", { fetch, lookup: privateLookup })).toEqual({ error: expect.stringMatching(/10\.0\.0\.7 is a private \(RFC 1918\) address/) });
    expect(await fetchScanReport("http://169.254.169.254/latest/meta-data/", { fetch, lookup: publicLookup })).toEqual({ error: expect.stringMatching(/metadata/) });
    expect(calls).toEqual([]);
  });
});

describe("reportLabel", () => {
  it("names a report without its query or fragment (a pre-signed URL's signature is a secret)", () => {
    expect(reportLabel("https://bucket.s3.amazonaws.com/scan.sarif?X-Amz-Signature=abc#x")).toBe("https://bucket.s3.amazonaws.com/scan.sarif");
  });
});
