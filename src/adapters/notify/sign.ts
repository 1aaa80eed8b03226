import { createHmac, timingSafeEqual } from "node:crypto";

/** The signature header of generic webhook deliveries (same scheme as GitHub's X-Hub-Signature-256). */
export const SIGNATURE_HEADER = "x-stagegate-signature-256";

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

/** Constant-time check of a received signature, for receivers written in Node. */
export function verifyBodySignature(secret: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
