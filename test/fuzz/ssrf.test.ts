/**
 * The SSRF guard (assertSafeUrl) against the addresses attackers use to reach metadata services and
 * internal networks through the `http` gate, metrics queries and verification URLs: metadata names and
 * addresses, IPv6 and IPv4-mapped forms, decimal/hex/octal IPv4 encodings, unspecified and loopback
 * addresses, private ranges, and DNS names that resolve to any of these (an injected lookup). Plus a
 * property: whatever a name resolves to, a refused address is never let through.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assertSafeUrl, getAddressProblem, UnsafeUrlError, type LookupFn } from "../../src/adapters/http/ssrf.js";
import { FUZZ } from "./support.js";

const resolveTo =
  (...addresses: string[]): LookupFn =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
const publicLookup = resolveTo("93.184.216.34");

/** Refused whatever allowPrivateNetwork says. */
const ALWAYS_REFUSED: [string, LookupFn?][] = [
  ["http://169.254.169.254/latest/meta-data/"],
  ["http://metadata.google.internal/computeMetadata/v1/"],
  ["http://metadata.google.internal./computeMetadata/v1/"],
  ["http://[fd00:ec2::254]/latest/meta-data/"],
  ["http://[::ffff:169.254.169.254]/"],
  ["http://[::ffff:a9fe:a9fe]/"],
  ["http://2852039166/"], // 169.254.169.254 in decimal
  ["http://0xa9fea9fe/"], // hex
  ["http://0251.0376.0251.0376/"], // octal
  ["http://169.254.1.1/"], // link-local
  ["http://[fe80::1]/"],
  ["http://100.100.100.200/"], // Alibaba metadata
  ["http://0.0.0.0/"],
  ["http://[::]/"],
  ["http://rebind.example.com/", resolveTo("169.254.169.254")],
  ["http://mixed.example.com/", resolveTo("93.184.216.34", "169.254.169.254")],
  ["file:///etc/passwd"],
  ["gopher://127.0.0.1:6379/_INFO"],
  ["ftp://example.com/"],
];

/** Refused unless allowPrivateNetwork. */
const PRIVATE: [string, LookupFn?][] = [
  ["http://localhost:9090/", resolveTo("127.0.0.1", "::1")],
  ["http://127.0.0.1/"],
  ["http://127.1.2.3/"],
  ["http://2130706433/"], // 127.0.0.1 in decimal
  ["http://[::1]/"],
  ["http://[::ffff:127.0.0.1]/"],
  ["http://10.0.0.1/"],
  ["http://10.255.255.255/"],
  ["http://172.16.0.1/"],
  ["http://192.168.1.1/"],
  ["http://100.64.0.1/"], // CGNAT
  ["http://[fd12:3456::1]/"], // ULA
  ["http://internal.example.com/", resolveTo("10.1.2.3")],
];

const ALLOWED: [string, LookupFn?][] = [
  ["https://prometheus.example.com/api/v1/query", publicLookup],
  ["https://93.184.216.34/"],
  ["http://[2606:2800:220:1:248:1893:25c8:1946]/"],
];

describe("SSRF guard", () => {
  it.each(ALWAYS_REFUSED)("refuses %s, even with allowPrivateNetwork", async (url, lookup) => {
    for (const allowPrivateNetwork of [false, true]) {
      await expect(assertSafeUrl(url, { allowPrivateNetwork, lookup: lookup ?? publicLookup })).rejects.toBeInstanceOf(UnsafeUrlError);
    }
  });

  it.each(PRIVATE)("refuses %s unless allowPrivateNetwork", async (url, lookup) => {
    await expect(assertSafeUrl(url, { lookup: lookup ?? publicLookup })).rejects.toBeInstanceOf(UnsafeUrlError);
    await expect(assertSafeUrl(url, { allowPrivateNetwork: true, lookup: lookup ?? publicLookup })).resolves.toMatchObject({ addresses: expect.any(Array) });
  });

  it.each(ALLOWED)("allows %s", async (url, lookup) => {
    await expect(assertSafeUrl(url, { lookup: lookup ?? publicLookup })).resolves.toMatchObject({ url: expect.any(URL) });
  });

  it("refuses a name that cannot be resolved (fail closed)", async () => {
    const failing: LookupFn = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    await expect(assertSafeUrl("https://nowhere.example/", { lookup: failing })).rejects.toBeInstanceOf(UnsafeUrlError);
    await expect(assertSafeUrl("https://empty.example/", { lookup: resolveTo() })).rejects.toBeInstanceOf(UnsafeUrlError);
  });

  it("never lets a refused address through, whatever a name resolves to, and throws nothing but UnsafeUrlError", async () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join("."));
    const v6 = fc.ipV6();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(v4, v6, fc.constantFrom("169.254.169.254", "127.0.0.1", "::ffff:10.0.0.1", "fd00:ec2::254")), { minLength: 1, maxLength: 4 }), fc.boolean(), async (addresses, allowPrivateNetwork) => {
        const refused = addresses.some((a) => getAddressProblem(a, allowPrivateNetwork) !== undefined);
        const outcome = await assertSafeUrl("https://target.example.com/", { allowPrivateNetwork, lookup: resolveTo(...addresses) }).then(
          () => "allowed",
          (error: unknown) => {
            expect(error).toBeInstanceOf(UnsafeUrlError);
            return "refused";
          },
        );
        expect(outcome).toBe(refused ? "refused" : "allowed");
      }),
      FUZZ,
    );
  });

  it("parses hostile URLs without throwing anything but UnsafeUrlError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.webUrl(), fc.string({ maxLength: 200 }), fc.string({ maxLength: 50 }).map((s) => `http://${s}/`)), async (url) => {
        await assertSafeUrl(url, { lookup: publicLookup }).catch((error: unknown) => expect(error).toBeInstanceOf(UnsafeUrlError));
      }),
      FUZZ,
    );
  });
});
