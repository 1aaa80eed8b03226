/**
 * The seal of an evidence block: an HMAC-SHA256 over the block's JSON line, keyed with a secret only
 * the Stagegate deployment holds. The block's checksum tells a mangled block from an intact one, but
 * anyone who can edit the PR body can recompute it; the seal cannot be recomputed without the key, so
 * a block edited after Stagegate wrote it (a `requestedBy` removed to approve one's own promotion, a
 * `kind` changed to take the rollback fast path) no longer chooses the gates (evaluate-promotion.ts).
 *
 * Keys: STAGEGATE_EVIDENCE_KEY (32 bytes or more, hex or base64 or text), else one derived from the
 * GitHub App's private key with HKDF-SHA256 (so every replica of one App agrees without another
 * secret). Earlier keys (STAGEGATE_EVIDENCE_PREVIOUS_KEYS) still verify, so a key can be rotated
 * while promotion PRs sealed with the old one are open; new blocks are sealed with the first key.
 */
import { createHash, createHmac, createPrivateKey, hkdfSync, timingSafeEqual } from "node:crypto";

/** Seals evidence JSON and checks seals. */
export interface EvidenceSeal {
  /**
   * The seal of a block's JSON line (lowercase hex) and the instant it was made (ISO 8601, to the
   * second), which the seal covers: a block is only taken for a PR opened around or before then
   * ({@link SEAL_LEEWAY_MS}), so an older PR's sealed block pasted into a later PR of the same branch
   * (same artifact, another requester) is refused.
   */
  seal(json: string): { mac: string; at: string };
  /** True when `mac` is the seal of `json` made at `at` (absent: a block sealed before seals had a time) under one of the keys. */
  verify(json: string, mac: string, at?: string): boolean;
  /**
   * The same keys for one repository (`owner/name`): a block sealed for one repository does not verify
   * in another, so a block from a repository where someone can get Stagegate to open PRs cannot be
   * pasted into another organisation's PR (the key derived from the App's private key is the same in
   * every installation).
   */
  bind(repository: string): EvidenceSeal;
  /**
   * Short ids of the keys ({@link sealKeyId}): the one that seals and the others that still verify. The
   * same keys give the same ids on every replica, so logs and `/metrics` show replicas that disagree
   * (one without a previous key refuses PRs another accepts) without showing any key.
   */
  readonly keyIds: { sealing: string; verifying: readonly string[] };
}

/** Shortest key accepted: HMAC-SHA256 keys under 32 bytes weaken the MAC (RFC 2104 §3). */
export const MIN_SEAL_KEY_BYTES = 32;

/**
 * How long before a PR was opened its block may have been sealed: the block is sealed when the PR is
 * planned, then the branch, the commit and the PR are made (seconds; minutes under rate limiting), and
 * GitHub's clock and this deployment's may differ a little.
 */
export const SEAL_LEEWAY_MS = 10 * 60_000;

/**
 * A key's id: the first 8 hex digits of SHA-256 over a fixed label and the key. Enough to tell a
 * handful of keys apart, and 32 bits say nothing useful about a key: anyone who can read the
 * environments repository already holds sealed blocks to test guesses against.
 */
export function sealKeyId(key: Buffer): string {
  return createHash("sha256").update("stagegate:evidence-key-id v1\n").update(key).digest("hex").slice(0, 8);
}

/** What is signed: the block's version, the repository it is bound to, when it was sealed, and the JSON. */
function sealedText(json: string, repository: string | undefined, at: string | undefined): string {
  return `stagegate:evidence v1\n${repository === undefined ? "" : `repository ${repository.toLowerCase()}\n`}${at === undefined ? "" : `sealed ${at}\n`}${json}`;
}

/**
 * A seal over HMAC-SHA256: the first key seals, every key verifies; bound to `repository` when given;
 * `now` dates the seals it makes. Throws on a short or missing key.
 */
export function hmacSeal(keys: readonly Buffer[], repository?: string, now: () => Date = () => new Date()): EvidenceSeal {
  if (keys.length === 0) throw new Error("an evidence seal needs at least one key");
  for (const key of keys) if (key.length < MIN_SEAL_KEY_BYTES) throw new Error(`an evidence seal key must be at least ${MIN_SEAL_KEY_BYTES} bytes (it is ${key.length})`);
  const mac = (key: Buffer, json: string, at: string | undefined) => createHmac("sha256", key).update(sealedText(json, repository, at), "utf8").digest();
  return {
    bind: (scope) => hmacSeal(keys, scope, now),
    keyIds: { sealing: sealKeyId(keys[0]!), verifying: keys.slice(1).map(sealKeyId) },
    seal: (json) => {
      const at = `${now().toISOString().slice(0, 19)}Z`;
      return { mac: mac(keys[0]!, json, at).toString("hex"), at };
    },
    verify: (json, presented, at) => {
      if (!/^[a-f0-9]{64}$/.test(presented)) return false;
      const given = Buffer.from(presented, "hex");
      return keys.some((key) => timingSafeEqual(mac(key, json, at), given));
    },
  };
}

/**
 * The key a GitHub App's private key gives (HKDF-SHA256, a fixed salt and purpose): the same on every
 * replica, unrelated to any other use of the key. Whitespace around the PEM does not change it.
 */
export function sealKeyFromPrivateKey(pem: string): Buffer {
  // The key itself, not its text: CRLF line ends or PKCS#1 against PKCS#8 PEM give the same seal key.
  let material: Buffer;
  try {
    material = createPrivateKey(pem).export({ type: "pkcs8", format: "der" });
  } catch {
    material = Buffer.from(pem.trim(), "utf8");
  }
  return Buffer.from(hkdfSync("sha256", material, "stagegate", "evidence-seal v1", 32));
}

/**
 * A key as given in an environment variable: `hex:<hex>` or `base64:<base64>`, else 64+ hex digits,
 * else the text's UTF-8 bytes. Throws when it is shorter than {@link MIN_SEAL_KEY_BYTES} or `hex:` is
 * followed by anything but pairs of hex digits (Node would silently stop at the first bad one).
 */
export function parseSealKey(value: string, name = "STAGEGATE_EVIDENCE_KEY"): Buffer {
  const text = value.trim();
  let key: Buffer;
  if (text.startsWith("hex:") && !/^(?:[a-fA-F0-9]{2})+$/.test(text.slice(4))) throw new Error(`${name}: hex: must be followed by pairs of hex digits`);
  if (text.startsWith("hex:")) key = Buffer.from(text.slice(4), "hex");
  else if (text.startsWith("base64:")) key = Buffer.from(text.slice(7), "base64");
  else if (/^(?:[a-fA-F0-9]{2}){32,}$/.test(text)) key = Buffer.from(text, "hex");
  else key = Buffer.from(text, "utf8");
  if (key.length < MIN_SEAL_KEY_BYTES) throw new Error(`${name} must hold at least ${MIN_SEAL_KEY_BYTES} bytes (openssl rand -hex 32)`);
  return key;
}

/**
 * The seal an environment configures: STAGEGATE_EVIDENCE_KEY (and STAGEGATE_EVIDENCE_PREVIOUS_KEYS,
 * comma-separated), else one derived from `privateKey` when given; undefined when there is neither
 * (local mode without a key: blocks are neither sealed nor required to be). `previousPrivateKey`, the
 * App's key before a rotation (STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH), adds the key derived from it for
 * verifying only: promotion PRs sealed before the App's key was rotated stay valid.
 */
export function evidenceSealFromEnv(env: Readonly<Record<string, string | undefined>>, privateKey?: string, previousPrivateKey?: string): EvidenceSeal | undefined {
  const previous = (env["STAGEGATE_EVIDENCE_PREVIOUS_KEYS"] ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => parseSealKey(part, "each of STAGEGATE_EVIDENCE_PREVIOUS_KEYS"));
  if (previousPrivateKey) previous.push(sealKeyFromPrivateKey(previousPrivateKey));
  const configured = env["STAGEGATE_EVIDENCE_KEY"];
  if (configured) return hmacSeal([parseSealKey(configured), ...previous]);
  if (privateKey) return hmacSeal([sealKeyFromPrivateKey(privateKey), ...previous]);
  return undefined;
}

/**
 * Where the seal's key comes from and its key ids, as start-up logs it: a replica started without a
 * previous key (or with another key) shows other ids than its peers. Never a key itself.
 */
export function describeSeal(seal: EvidenceSeal, env: Readonly<Record<string, string | undefined>>): { source: string; sealing: string; verifying: readonly string[] } {
  const source = env["STAGEGATE_EVIDENCE_KEY"] ? "STAGEGATE_EVIDENCE_KEY" : "derived from the App's private key";
  return { source, sealing: seal.keyIds.sealing, verifying: seal.keyIds.verifying };
}
