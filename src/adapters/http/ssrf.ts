import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { TerminalError } from "../../core/errors.js";

/** The URL must not be fetched; the message names the rule. */
export class UnsafeUrlError extends TerminalError {
  override name = "UnsafeUrlError";
}

/** DNS resolution, injectable for tests (node:dns/promises `lookup` with `all: true`). */
export type LookupFn = (hostname: string, options: { all: true; verbatim: true }) => Promise<{ address: string; family: number }[]>;

export interface SafeUrlOptions {
  /** Allow loopback and private ranges (RFC 1918, CGNAT, ULA). Link-local and metadata addresses stay refused. */
  allowPrivateNetwork?: boolean;
  lookup?: LookupFn;
}

/** Cloud metadata endpoints by name: refused whatever they resolve to. */
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"]);
/** Cloud metadata endpoints by address (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Oracle). */
const METADATA_ADDRESSES = new Set(["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192"]);

type Range = { kind: "always" | "private"; what: string; test: (bytes: number[]) => boolean };

function v4(address: string): number[] {
  return address.split(".").map(Number);
}

/** 16 bytes of an IPv6 address (handles `::` and an embedded dotted IPv4 tail). */
function v6(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = v4(dotted[1]!);
    text = text.slice(0, -dotted[1]!.length) + `${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

const METADATA_V6 = [...METADATA_ADDRESSES].filter((a) => a.includes(":")).map(v6);

const V4_RANGES: Range[] = [
  { kind: "always", what: "a link-local address", test: ([a, b]) => a === 169 && b === 254 },
  { kind: "always", what: "an unspecified ('this network') address", test: ([a]) => a === 0 },
  { kind: "always", what: "a multicast or reserved address", test: ([a]) => a! >= 224 },
  { kind: "private", what: "a loopback address", test: ([a]) => a === 127 },
  { kind: "private", what: "a private (RFC 1918) address", test: ([a, b]) => a === 10 || (a === 172 && b! >= 16 && b! <= 31) || (a === 192 && b === 168) },
  { kind: "private", what: "a carrier-grade NAT address", test: ([a, b]) => a === 100 && b! >= 64 && b! <= 127 },
  { kind: "private", what: "a benchmarking address", test: ([a, b]) => a === 198 && (b === 18 || b === 19) },
  { kind: "private", what: "an IETF protocol assignment address", test: ([a, b, c]) => a === 192 && b === 0 && c === 0 },
];

const V6_RANGES: Range[] = [
  { kind: "always", what: "a link-local address", test: ([a, b]) => a === 0xfe && (b! & 0xc0) === 0x80 },
  { kind: "always", what: "a multicast address", test: ([a]) => a === 0xff },
  { kind: "always", what: "the unspecified address", test: (bytes) => bytes.every((x) => x === 0) },
  { kind: "private", what: "a loopback address", test: (bytes) => bytes.slice(0, 15).every((x) => x === 0) && bytes[15] === 1 },
  { kind: "private", what: "a unique local (private) address", test: ([a]) => (a! & 0xfe) === 0xfc },
  { kind: "always", what: "a site-local address", test: ([a, b]) => a === 0xfe && (b! & 0xc0) === 0xc0 },
];

/** Why `address` may not be contacted, or undefined when it may. */
export function getAddressProblem(address: string, allowPrivateNetwork: boolean): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  if (METADATA_ADDRESSES.has(address.toLowerCase())) return `${address} is a cloud metadata address`;
  let ranges = V4_RANGES;
  let bytes: number[];
  if (family === 4) bytes = v4(address);
  else {
    bytes = v6(address);
    const embedded = getEmbeddedV4(bytes);
    if (embedded) return getAddressProblem(embedded, allowPrivateNetwork);
    if (METADATA_V6.some((m) => m.every((b, i) => b === bytes[i]))) return `${address} is a cloud metadata address`;
    ranges = V6_RANGES;
  }
  for (const range of ranges) {
    if (!range.test(bytes)) continue;
    if (range.kind === "always" || !allowPrivateNetwork) return `${address} is ${range.what}${range.kind === "private" ? " (set allowPrivateNetwork: true to allow it)" : ""}`;
    return undefined;
  }
  return undefined;
}

/** IPv4 carried in an IPv6 address: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d) or NAT64 (64:ff9b::/96). */
function getEmbeddedV4(bytes: number[]): string | undefined {
  const zeros = (n: number) => bytes.slice(0, n).every((x) => x === 0);
  const mapped = zeros(10) && bytes[10] === 0xff && bytes[11] === 0xff;
  const compatible = zeros(12) && !(bytes[12] === 0 && bytes[13] === 0 && bytes[14] === 0);
  const nat64 = bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && bytes.slice(4, 12).every((x) => x === 0);
  return mapped || compatible || nat64 ? bytes.slice(12).join(".") : undefined;
}

/**
 * Refuses URLs that would let a policy author reach what Stagegate can reach but they cannot:
 * non-http(s) schemes, cloud metadata endpoints, link-local addresses and (unless allowed) loopback
 * and private networks. Resolves the host name and checks EVERY address it resolves to.
 * Returns the resolved addresses. Throws {@link UnsafeUrlError}.
 */
export async function assertSafeUrl(url: string | URL, options: SafeUrlOptions = {}): Promise<{ url: URL; addresses: string[] }> {
  let parsed: URL;
  try {
    parsed = typeof url === "string" ? new URL(url) : url;
  } catch {
    throw new UnsafeUrlError(`invalid URL: ${String(url)}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UnsafeUrlError(`refused ${parsed.protocol} URL: only http and https are allowed`);
  const host = parsed.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  if (METADATA_HOSTS.has(host)) throw new UnsafeUrlError(`refused ${host}: a cloud metadata endpoint`);
  const allowPrivate = options.allowPrivateNetwork ?? false;
  let addresses: string[];
  if (isIP(host) !== 0) addresses = [host];
  else {
    try {
      addresses = (await (options.lookup ?? (dnsLookup as LookupFn))(host, { all: true, verbatim: true })).map((r) => r.address);
    } catch (error) {
      throw new UnsafeUrlError(`cannot resolve ${host}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (addresses.length === 0) throw new UnsafeUrlError(`cannot resolve ${host}: no addresses`);
  }
  for (const address of addresses) {
    const problem = getAddressProblem(address, allowPrivate);
    if (problem !== undefined) throw new UnsafeUrlError(`refused ${parsed.host}: ${problem}`, { url: parsed.toString(), address });
  }
  return { url: parsed, addresses };
}
