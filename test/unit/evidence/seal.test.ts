import { createHash, createHmac, createPrivateKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parsePromotionBody, parseSealedBody, renderEvidenceBlock, renderPromotionBody, sealProblem, type Evidence } from "../../../src/core/evidence/index.js";
import { describeSeal, evidenceSealFromEnv, hmacSeal, parseSealKey, sealKeyFromPrivateKey, sealKeyId, type EvidenceSeal } from "../../../src/core/evidence/seal.js";

const KEY = Buffer.alloc(32, 1);
const OTHER = Buffer.alloc(32, 2);

const evidence: Evidence = {
  version: 1,
  kind: "promotion",
  service: "checkout",
  environment: "prod",
  policy: "prod",
  requestedBy: "alice",
  artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest: `sha256:${"a".repeat(64)}` },
  previous: [],
  files: [],
  gates: [],
  approvals: [],
  reviewers: { users: [], teams: [] },
};

describe("hmacSeal", () => {
  const at = () => new Date("2026-03-01T10:00:00.500Z");

  it("seals with the first key, verifies with every key, and refuses anything else", () => {
    const seal = hmacSeal([KEY, OTHER], undefined, at);
    const { mac, at: sealedAt } = seal.seal('{"a":1}');
    expect(mac).toMatch(/^[a-f0-9]{64}$/);
    expect(sealedAt).toBe("2026-03-01T10:00:00Z");
    expect(seal.verify('{"a":1}', mac, sealedAt)).toBe(true);
    expect(seal.verify('{"a":2}', mac, sealedAt)).toBe(false);
    // Sealed under the second (earlier) key: still verifies.
    const earlier = hmacSeal([OTHER], undefined, at).seal('{"a":1}');
    expect(seal.verify('{"a":1}', earlier.mac, earlier.at)).toBe(true);
    expect(hmacSeal([OTHER]).verify('{"a":1}', mac, sealedAt)).toBe(false);
    expect(seal.verify('{"a":1}', mac.toUpperCase(), sealedAt)).toBe(false);
    expect(seal.verify('{"a":1}', mac.slice(2), sealedAt)).toBe(false);
  });

  it("covers the seal's time: another time, or none, does not verify", () => {
    const seal = hmacSeal([KEY], undefined, at);
    const { mac } = seal.seal("x");
    expect(seal.verify("x", mac, "2026-03-01T10:00:00Z")).toBe(true);
    expect(seal.verify("x", mac, "2026-03-01T10:00:01Z")).toBe(false);
    expect(seal.verify("x", mac)).toBe(false);
  });

  it("binds a seal to a repository: sealed for one, it does not verify for another (nor unbound)", () => {
    const seal = hmacSeal([KEY], undefined, at);
    const { mac, at: sealedAt } = seal.bind("acme/environments").seal("x");
    expect(seal.bind("Acme/Environments").verify("x", mac, sealedAt)).toBe(true);
    expect(seal.bind("mallory/environments").verify("x", mac, sealedAt)).toBe(false);
    expect(seal.verify("x", mac, sealedAt)).toBe(false);
  });

  it("refuses keys under 32 bytes and an empty key list", () => {
    expect(() => hmacSeal([Buffer.alloc(31)])).toThrow(/at least 32 bytes/);
    expect(() => hmacSeal([])).toThrow(/at least one key/);
  });
});

describe("seal keys", () => {
  it("reads hex, base64 and text keys, and names the variable when one is too short", () => {
    expect(parseSealKey("ab".repeat(32))).toEqual(Buffer.alloc(32, 0xab));
    expect(parseSealKey(`hex:${"01".repeat(40)}`)).toHaveLength(40);
    expect(parseSealKey(`base64:${Buffer.alloc(48, 3).toString("base64")}`)).toEqual(Buffer.alloc(48, 3));
    expect(parseSealKey("correct horse battery staple and some more words")).toHaveLength(48);
    expect(() => parseSealKey("short")).toThrow(/STAGEGATE_EVIDENCE_KEY must hold at least 32 bytes/);
    expect(() => parseSealKey(`hex:${"ab".repeat(31)}zz${"ab".repeat(8)}`)).toThrow(/pairs of hex digits/);
  });

  it("derives the same key from the same App private key (whitespace aside), another from another", () => {
    const pem = (generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string);
    const other = (generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string);
    expect(sealKeyFromPrivateKey(pem)).toEqual(sealKeyFromPrivateKey(`\n${pem}\n\n`));
    // The key, not its text: CRLF line ends and the PKCS#8 form of the same key give the same seal key.
    expect(sealKeyFromPrivateKey(pem)).toEqual(sealKeyFromPrivateKey(pem.replace(/\n/g, "\r\n")));
    const pkcs8 = createPrivateKey(pem).export({ type: "pkcs8", format: "pem" }) as string;
    expect(sealKeyFromPrivateKey(pem)).toEqual(sealKeyFromPrivateKey(pkcs8));
    expect(sealKeyFromPrivateKey(pem)).toHaveLength(32);
    expect(sealKeyFromPrivateKey(pem).equals(sealKeyFromPrivateKey(other))).toBe(false);
    // The derived key is not the PEM's bytes.
    expect(pem.includes(sealKeyFromPrivateKey(pem).toString("latin1"))).toBe(false);
  });

  it("takes STAGEGATE_EVIDENCE_KEY first, the App key otherwise, and earlier keys for verifying only", () => {
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    const configured = evidenceSealFromEnv({ STAGEGATE_EVIDENCE_KEY: KEY.toString("hex") }, pem)!;
    const sealedBy = (seal: EvidenceSeal, key: Buffer) => {
      const { mac, at: sealedAt } = seal.seal("x");
      return hmacSeal([key]).verify("x", mac, sealedAt);
    };
    expect(sealedBy(configured, KEY)).toBe(true);
    const derived = evidenceSealFromEnv({}, pem)!;
    expect(sealedBy(derived, sealKeyFromPrivateKey(pem))).toBe(true);
    const rotating = evidenceSealFromEnv({ STAGEGATE_EVIDENCE_KEY: OTHER.toString("hex"), STAGEGATE_EVIDENCE_PREVIOUS_KEYS: ` ${KEY.toString("hex")} ,` })!;
    expect(sealedBy(rotating, OTHER)).toBe(true);
    expect(sealedBy(rotating, KEY)).toBe(false);
    const old = hmacSeal([KEY]).seal("x");
    expect(rotating.verify("x", old.mac, old.at)).toBe(true);
    expect(evidenceSealFromEnv({})).toBeUndefined();
    expect(() => evidenceSealFromEnv({ STAGEGATE_EVIDENCE_PREVIOUS_KEYS: "short" }, pem)).toThrow(/STAGEGATE_EVIDENCE_PREVIOUS_KEYS/);
  });
});

describe("key ids", () => {
  it("name each key the same way on every replica, tell keys apart, and show nothing of a key", () => {
    const id = sealKeyId(KEY);
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(sealKeyId(Buffer.from(KEY))).toBe(id);
    expect(sealKeyId(OTHER)).not.toBe(id);
    // Not a prefix of the key, nor of its plain SHA-256: a fixed label is hashed first.
    expect(KEY.toString("hex")).not.toContain(id);
    expect(createHash("sha256").update(KEY).digest("hex").startsWith(id)).toBe(false);
  });

  it("list the sealing key and the keys that only verify, in order, bound or not", () => {
    const seal = hmacSeal([OTHER, KEY]);
    expect(seal.keyIds).toEqual({ sealing: sealKeyId(OTHER), verifying: [sealKeyId(KEY)] });
    expect(seal.bind("acme/environments").keyIds).toEqual(seal.keyIds);
  });

  it("show a replica started without the previous App key apart from its peers", () => {
    const oldPem = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    const newPem = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    const withPrevious = describeSeal(evidenceSealFromEnv({}, newPem, oldPem)!, {});
    const without = describeSeal(evidenceSealFromEnv({}, newPem)!, {});
    expect(withPrevious).toEqual({ source: "derived from the App's private key", sealing: sealKeyId(sealKeyFromPrivateKey(newPem)), verifying: [sealKeyId(sealKeyFromPrivateKey(oldPem))] });
    expect(without).toEqual({ ...withPrevious, verifying: [] });
    const configured = { STAGEGATE_EVIDENCE_KEY: KEY.toString("hex") };
    expect(describeSeal(evidenceSealFromEnv(configured, newPem)!, configured)).toEqual({ source: "STAGEGATE_EVIDENCE_KEY", sealing: sealKeyId(KEY), verifying: [] });
  });
});

describe("rotating the App's private key", () => {
  it("blocks sealed with the key derived from the previous App key still verify; new ones use the new App key", () => {
    const oldPem = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    const newPem = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    const before = evidenceSealFromEnv({}, oldPem)!.seal("x");
    // Without the previous key, the App's new key alone refuses what the old one sealed.
    expect(evidenceSealFromEnv({}, newPem)!.verify("x", before.mac, before.at)).toBe(false);
    const rotating = evidenceSealFromEnv({}, newPem, oldPem)!;
    expect(rotating.verify("x", before.mac, before.at)).toBe(true);
    const after = rotating.seal("x");
    expect(evidenceSealFromEnv({}, newPem)!.verify("x", after.mac, after.at)).toBe(true);
    expect(evidenceSealFromEnv({}, oldPem)!.verify("x", after.mac, after.at)).toBe(false);
    // Moving from the derived key to STAGEGATE_EVIDENCE_KEY: the App key's blocks stay valid the same way.
    expect(evidenceSealFromEnv({ STAGEGATE_EVIDENCE_KEY: KEY.toString("hex") }, oldPem, oldPem)!.verify("x", before.mac, before.at)).toBe(true);
  });
});

describe("sealed evidence blocks", () => {
  const at = () => new Date("2026-03-01T10:00:00Z");
  const seal = hmacSeal([KEY], undefined, at);

  it("a sealed block parses with its seal, which verifies; an unsealed one parses without", () => {
    const sealed = parsePromotionBody(renderPromotionBody(evidence, { seal }));
    expect(sealed).toMatchObject({ ok: true, evidence: { requestedBy: "alice" }, mac: expect.stringMatching(/^[a-f0-9]{64}$/) });
    if (!sealed.ok) throw new Error("unreachable");
    expect(sealProblem(sealed, seal)).toBeUndefined();
    const plain = parsePromotionBody(renderPromotionBody(evidence));
    expect(plain).toMatchObject({ ok: true });
    expect(plain.ok ? plain.mac : "none").toBeUndefined();
    if (!plain.ok) throw new Error("unreachable");
    expect(sealProblem(plain, seal)).toMatch(/carries no seal/);
  });

  it("a block rewritten with a recomputed checksum keeps neither its seal nor Stagegate's word", () => {
    const original = renderEvidenceBlock(evidence, seal);
    const mac = /hmac-sha256:([a-f0-9]{64})/.exec(original)![1]!;
    const { requestedBy: _gone, ...edited } = evidence;
    const forged = renderEvidenceBlock(edited).replace(/(sha256:[a-f0-9]{64})\n/, `$1 hmac-sha256:${mac}\n`);
    const parsed = parsePromotionBody(forged);
    expect(parsed).toMatchObject({ ok: true, mac });
    if (!parsed.ok) throw new Error("unreachable");
    expect(parsed.evidence.requestedBy).toBeUndefined();
    expect(sealProblem(parsed, seal)).toMatch(/seal does not match/);
    // Sealed under another deployment's key.
    const foreign = parsePromotionBody(renderEvidenceBlock(evidence, hmacSeal([OTHER])));
    if (!foreign.ok) throw new Error("unreachable");
    expect(sealProblem(foreign, seal)).toMatch(/seal does not match/);
  });

  it("a malformed seal makes the header malformed, not a block without a seal", () => {
    const block = renderEvidenceBlock(evidence, seal).replace(/hmac-sha256:([a-f0-9]{64})/, "hmac-sha256:xyz");
    expect(parsePromotionBody(block)).toMatchObject({ ok: false, error: "invalid", message: expect.stringContaining("header is malformed") });
  });

  it("rendering is deterministic: the same evidence and key give the same bytes", () => {
    expect(renderPromotionBody(evidence, { seal })).toBe(renderPromotionBody(evidence, { seal: hmacSeal([KEY], undefined, at) }));
  });

  it("a block is taken for a PR opened up to ten minutes after it was sealed, not for a later PR of the branch", () => {
    const body = renderPromotionBody(evidence, { seal });
    expect(body).toContain(" sealed:2026-03-01T10:00:00Z\n");
    expect(parseSealedBody(body, seal, { createdAt: "2026-03-01T10:00:04Z" })).toMatchObject({ ok: true, sealedAt: "2026-03-01T10:00:00Z" });
    // Re-sealed after the PR was opened (promoted again): later is fine.
    expect(parseSealedBody(body, seal, { createdAt: "2026-02-20T08:00:00Z" })).toMatchObject({ ok: true });
    expect(parseSealedBody(body, seal, { createdAt: "2026-03-01T10:09:59Z" })).toMatchObject({ ok: true });
    // The block of an earlier PR of the same branch, pasted into one opened later (another requester).
    expect(parseSealedBody(body, seal, { createdAt: "2026-03-01T10:10:01Z" })).toMatchObject({ ok: false, error: "unsealed", message: expect.stringContaining("sealed for an earlier PR of this branch") });
    // Without a PR (reading a block for what it says), the time is not asked about.
    expect(parseSealedBody(body, seal)).toMatchObject({ ok: true });
  });

  it("the seal's time cannot be moved, nor dropped", () => {
    const body = renderPromotionBody(evidence, { seal });
    const later = body.replace("sealed:2026-03-01T10:00:00Z", "sealed:2026-03-09T10:00:00Z");
    expect(parseSealedBody(later, seal, { createdAt: "2026-03-09T10:00:00Z" })).toMatchObject({ ok: false, message: expect.stringMatching(/seal does not match/) });
    const dropped = body.replace(" sealed:2026-03-01T10:00:00Z", "");
    expect(parseSealedBody(dropped, seal)).toMatchObject({ ok: false, message: expect.stringMatching(/seal does not match/) });
  });

  it("a block sealed before seals had a time verifies, but is not taken for a PR", () => {
    // What the previous version wrote: the HMAC over the version, and the JSON line, without a time.
    const json = /\n(\{.*\})\n-->/.exec(renderEvidenceBlock(evidence))![1]!;
    const mac = createHmac("sha256", KEY).update(`stagegate:evidence v1\n${json}`, "utf8").digest("hex");
    const old = renderEvidenceBlock(evidence).replace(/(sha256:[a-f0-9]{64})\n/, `$1 hmac-sha256:${mac}\n`);
    expect(parseSealedBody(old, seal)).toMatchObject({ ok: true });
    expect(parseSealedBody(old, seal, { createdAt: "2026-03-01T10:00:00Z" })).toMatchObject({ ok: false, error: "unsealed", message: expect.stringContaining("carries no time") });
  });
});
