/**
 * A minimal DER encoder: enough to build throwaway X.509 certificates (a CA and Fulcio-like leaf
 * certificates with GitHub Actions extensions) for the provenance tests, signed with node:crypto.
 */
import { createHash, sign, type KeyObject } from "node:crypto";

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

export const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
const octet = (b: Buffer) => tlv(0x04, b);
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const bits = (b: Buffer, unused = 0) => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const explicit = (n: number, content: Buffer) => tlv(0xa0 + n, content);

function integer(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  if (bytes.length === 0 || bytes[0]! >= 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), "ascii")) : tlv(0x18, Buffer.from(iso, "ascii"));
}

const name = (cn: string) => seq(set(seq(oid("2.5.4.10"), utf8("stagegate-test"))), set(seq(oid("2.5.4.3"), utf8(cn))));
const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));
const extension = (id: string, value: Buffer, critical = false) => seq(oid(id), ...(critical ? [bool(true)] : []), octet(value));

export interface CertificateSpec {
  subject: string;
  issuer: string;
  /** The certified key. */
  publicKey: KeyObject;
  /** Signs the certificate (the issuer's key; the subject's own for a root). */
  signingKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
  ca?: boolean;
  /** Subject alternative name (URI). */
  uri?: string;
  /** Extra extensions: OID → UTF-8 string value, DER-encoded as UTF8String (Fulcio v2 encoding). */
  extensions?: Record<string, string>;
  serial?: number;
}

/** A DER X.509 v3 certificate signed with ECDSA P-256/SHA-256. */
export function certificate(spec: CertificateSpec): Buffer {
  const spki = spec.publicKey.export({ type: "spki", format: "der" });
  const keyId = createHash("sha1").update(spki).digest();
  const exts = [
    extension("2.5.29.19", spec.ca ? seq(bool(true)) : seq(), true),
    extension("2.5.29.15", spec.ca ? bits(Buffer.from([0x06]), 1) : bits(Buffer.from([0x80]), 7), true),
    extension("2.5.29.14", octet(keyId)),
    ...(spec.uri ? [extension("2.5.29.17", seq(tlv(0x86, Buffer.from(spec.uri, "ascii"))), true)] : []),
    ...Object.entries(spec.extensions ?? {}).map(([id, value]) => extension(id, utf8(value))),
  ];
  const tbs = seq(explicit(0, integer(2)), integer(spec.serial ?? 1), ECDSA_SHA256, name(spec.issuer), seq(time(spec.notBefore), time(spec.notAfter)), name(spec.subject), spki, explicit(3, seq(...exts)));
  return seq(tbs, ECDSA_SHA256, bits(sign("sha256", tbs, spec.signingKey)));
}
