import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchHttpCheck } from "../../../src/adapters/http/http-check.js";
import { queryPrometheus } from "../../../src/adapters/http/prometheus.js";
import { assertSafeUrl, getAddressProblem, UnsafeUrlError, type LookupFn } from "../../../src/adapters/http/ssrf.js";
import { DIGEST } from "./helpers.js";

const resolvesTo = (...addresses: string[]): LookupFn => async () => addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
const target = { environment: "prod", service: "checkout", digest: DIGEST };

describe("SSRF guard", () => {
  it.each([
    ["169.254.169.254", false, "cloud metadata"],
    ["169.254.10.1", true, "link-local"],
    ["fe80::1", true, "link-local"],
    ["fd00:ec2::254", true, "cloud metadata"],
    ["100.100.100.200", true, "cloud metadata"],
    ["::ffff:169.254.169.254", true, "cloud metadata"],
    ["::ffff:a9fe:a9fe", true, "cloud metadata"],
    ["64:ff9b::a9fe:a9fe", true, "cloud metadata"],
    ["0.0.0.0", true, "unspecified"],
    ["::", true, "unspecified"],
    ["224.0.0.1", true, "multicast"],
    ["127.0.0.1", false, "loopback"],
    ["::1", false, "loopback"],
    ["::ffff:127.0.0.1", false, "loopback"],
    ["10.1.2.3", false, "RFC 1918"],
    ["172.20.0.1", false, "RFC 1918"],
    ["192.168.1.1", false, "RFC 1918"],
    ["100.64.0.1", false, "carrier-grade NAT"],
    ["fd12:3456::1", false, "unique local"],
  ])("refuses %s (allowPrivateNetwork %s): %s", (address, allowPrivate, what) => {
    expect(getAddressProblem(address, allowPrivate)).toContain(what);
  });

  it.each([
    ["127.0.0.1", true],
    ["10.1.2.3", true],
    ["fd12:3456::1", true],
    ["93.184.215.14", false],
    ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", false],
    ["172.32.0.1", false],
  ])("allows %s (allowPrivateNetwork %s)", (address, allowPrivate) => {
    expect(getAddressProblem(address, allowPrivate)).toBeUndefined();
  });

  it("checks every resolved address, refuses bad schemes and metadata names", async () => {
    await expect(assertSafeUrl("https://status.example.test/x", { lookup: resolvesTo("93.184.215.14") })).resolves.toMatchObject({ addresses: ["93.184.215.14"] });
    await expect(assertSafeUrl("https://status.example.test/x", { lookup: resolvesTo("93.184.215.14", "10.0.0.1") })).rejects.toThrow("private (RFC 1918)");
    await expect(assertSafeUrl("https://rebind.example.test/", { lookup: resolvesTo("169.254.169.254"), allowPrivateNetwork: true })).rejects.toThrow("cloud metadata");
    await expect(assertSafeUrl("http://metadata.google.internal./computeMetadata/v1/", { lookup: resolvesTo("8.8.8.8") })).rejects.toThrow("cloud metadata endpoint");
    await expect(assertSafeUrl("http://[fe80::1]/", { allowPrivateNetwork: true })).rejects.toThrow(UnsafeUrlError);
    await expect(assertSafeUrl("file:///etc/passwd")).rejects.toThrow("only http and https");
    await expect(assertSafeUrl("gopher://x.example.test/")).rejects.toThrow("only http and https");
    await expect(assertSafeUrl("http://nowhere.example.test/", { lookup: async () => Promise.reject(new Error("ENOTFOUND")) })).rejects.toThrow("cannot resolve");
    await expect(assertSafeUrl("http://127.0.0.1:9/")).rejects.toThrow("allowPrivateNetwork");
  });
});

describe("HTTP adapters against a loopback server", () => {
  let server: Server;
  let base = "";
  const seen: { url: string; headers: Record<string, unknown> }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? "", headers: req.headers });
      if (req.url?.startsWith("/ready/")) return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", path: req.url }));
      if (req.url === "/text") return res.writeHead(200).end("plain ok");
      if (req.url === "/big") return res.writeHead(200).end("x".repeat(50_000));
      if (req.url === "/slow") return void setTimeout(() => res.writeHead(200).end("late"), 2_000);
      if (req.url === "/to-metadata") return res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
      if (req.url === "/hop") return res.writeHead(301, { location: "/text" }).end();
      if (req.url === "/elsewhere") return res.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/text` }).end();
      if (req.url?.startsWith("/api/v1/query")) {
        const q = new URL(req.url, "http://x").searchParams.get("query");
        const payload =
          q === "vector" ? { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [1, "0.5"] }, { metric: { a: "b" }, value: [1, "NaN"] }, { metric: {}, value: [1, "+Inf"] }] } }
          : q === "scalar" ? { status: "success", data: { resultType: "scalar", result: [1, "42"] } }
          : q === "matrix" ? { status: "success", data: { resultType: "matrix", result: [] } }
          : { status: "error", errorType: "bad_data", error: "parse error at char 1" };
        return res.writeHead(q === "bad" ? 400 : 200, { "content-type": "application/json" }).end(JSON.stringify(payload));
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const check = (path: string, extra: Record<string, unknown> = {}, deps = {}) =>
    fetchHttpCheck({ url: `${base}${path}`, method: "GET", headersFromEnv: {}, timeout: "1s", allowPrivateNetwork: true, ...extra }, target, { now: () => new Date("2024-06-03T10:00:00Z"), ...deps });

  it("sends the secret headers on a same-origin redirect, never to another origin", async () => {
    const env = { env: { STAGEGATE_HTTP_STATUS_TOKEN: "Bearer s3cret" } };
    seen.length = 0;
    expect((await check("/hop", { headersFromEnv: { authorization: "STAGEGATE_HTTP_STATUS_TOKEN" } }, env)).status).toBe(200);
    expect(seen.map((s) => [s.url, s.headers["authorization"]])).toEqual([["/hop", "Bearer s3cret"], ["/text", "Bearer s3cret"]]);
    seen.length = 0;
    expect((await check("/elsewhere", { headersFromEnv: { authorization: "STAGEGATE_HTTP_STATUS_TOKEN" } }, env)).status).toBe(200);
    expect(seen.map((s) => [s.url, s.headers["authorization"], s.headers["accept"] !== undefined])).toEqual([["/elsewhere", "Bearer s3cret", true], ["/text", undefined, true]]);
  });

  it("fetches JSON with placeholders and secret headers from the environment", async () => {
    const fact = await check("/ready/{{service}}/{{env}}", { headersFromEnv: { authorization: "STAGEGATE_HTTP_STATUS_TOKEN" } }, { env: { STAGEGATE_HTTP_STATUS_TOKEN: "Bearer s3cret" } });
    expect(fact).toEqual({ url: `${base}/ready/checkout/prod`, at: "2024-06-03T10:00:00.000Z", status: 200, body: { status: "ok", path: "/ready/checkout/prod" } });
    expect(seen.at(-1)?.headers["authorization"]).toBe("Bearer s3cret");
  });

  it("keeps text bodies, follows safe redirects", async () => {
    expect((await check("/text")).body).toBe("plain ok");
    expect(await check("/hop")).toMatchObject({ url: `${base}/text`, status: 200, body: "plain ok" });
  });

  it("reports refusals, limits and timeouts as errors", async () => {
    expect((await check("/ready/x", { allowPrivateNetwork: false })).error).toContain("loopback");
    expect((await check("/to-metadata")).error).toContain("cloud metadata");
    expect((await check("/big", {}, { maxBytes: 10_000 })).error).toContain("exceeds the 10000-byte limit");
    expect((await check("/text", { headersFromEnv: { authorization: "STAGEGATE_HTTP_MISSING" } }, { env: {} })).error).toContain("STAGEGATE_HTTP_MISSING is not set");
    // Never the app's own credentials, even if a spec got past the schema.
    expect((await check("/text", { headersFromEnv: { authorization: "PRIVATE_KEY" } }, { env: { PRIVATE_KEY: "-----BEGIN" } })).error).toBe("header authorization: PRIVATE_KEY is not a STAGEGATE_HTTP_* variable: refused");
    const started = Date.now();
    expect((await check("/slow")).error).toContain("timed out after 1000 ms");
    expect(Date.now() - started).toBeLessThan(1_900);
  });

  it("queries Prometheus: vectors as number lists, scalars as numbers, errors as PrometheusQueryError", async () => {
    expect(await queryPrometheus(base, "vector")).toEqual([0.5, Number.NaN, Infinity]);
    expect(await queryPrometheus(`${base}/`, "scalar", { now: new Date("2024-06-03T10:00:00Z") })).toBe(42);
    expect(seen.at(-1)?.url).toBe("/api/v1/query?query=scalar&time=1717408800.000");
    await expect(queryPrometheus(base, "matrix")).rejects.toThrow("matrix result");
    await expect(queryPrometheus(base, "bad")).rejects.toThrow("Prometheus query failed (400 bad_data): parse error at char 1");
    await expect(queryPrometheus(base, "up", { allowPrivateNetwork: false })).rejects.toThrow(UnsafeUrlError);
    await expect(queryPrometheus("http://127.0.0.1:1", "up", { timeoutMs: 2_000 })).rejects.toThrow("request failed");
  });
});
