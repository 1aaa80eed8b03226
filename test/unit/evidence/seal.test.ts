import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parsePromotionBody, renderEvidenceBlock, renderPromotionBody, sealProblem, type Evidence } from "../../../src/core/evidence/index.js";
import { evidenceSealFromEnv, hmacSeal, parseSealKey, sealKeyFromPrivateKey } from "../../../src/core/evidence/seal.js";

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
  it("seals with the first key, verifies with every key, and refuses anything else", () => {
    const seal = hmacSeal([KEY, OTHER]);
    const mac = seal.seal('{"a":1}');
    expect(mac).toMatch(/^[a-f0-9]{64}$/);
    expect(seal.verify('{"a":1}', mac)).toBe(true);
    expect(seal.verify('{"a":2}', mac)).toBe(false);
    // Sealed under the second (earlier) key: still verifies.
    expect(seal.verify('{"a":1}', hmacSeal([OTHER]).seal('{"a":1}'))).toBe(true);
    expect(hmacSeal([OTHER]).verify('{"a":1}', mac)).toBe(false);
    expect(seal.verify('{"a":1}', mac.toUpperCase())).toBe(false);
    expect(seal.verify('{"a":1}', mac.slice(2))).toBe(false);
  });

  it("binds a seal to a repository: sealed for one, it does not verify for another (nor unbound)", () => {
    const seal = hmacSeal([KEY]);
    const mac = seal.bind("acme/environments").seal("x");
    expect(seal.bind("Acme/Environments").verify("x", mac)).toBe(true);
    expect(seal.bind("mallory/environments").verify("x", mac)).toBe(false);
    expect(seal.verify("x", mac)).toBe(false);
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
    expect(configured.seal("x")).toBe(hmacSeal([KEY]).seal("x"));
    const derived = evidenceSealFromEnv({}, pem)!;
    expect(derived.seal("x")).toBe(hmacSeal([sealKeyFromPrivateKey(pem)]).seal("x"));
    const rotating = evidenceSealFromEnv({ STAGEGATE_EVIDENCE_KEY: OTHER.toString("hex"), STAGEGATE_EVIDENCE_PREVIOUS_KEYS: ` ${KEY.toString("hex")} ,` })!;
    expect(rotating.seal("x")).toBe(hmacSeal([OTHER]).seal("x"));
    expect(rotating.verify("x", hmacSeal([KEY]).seal("x"))).toBe(true);
    expect(evidenceSealFromEnv({})).toBeUndefined();
    expect(() => evidenceSealFromEnv({ STAGEGATE_EVIDENCE_PREVIOUS_KEYS: "short" }, pem)).toThrow(/STAGEGATE_EVIDENCE_PREVIOUS_KEYS/);
  });
});

describe("sealed evidence blocks", () => {
  const seal = hmacSeal([KEY]);

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
    expect(renderPromotionBody(evidence, { seal })).toBe(renderPromotionBody(evidence, { seal: hmacSeal([KEY]) }));
  });
});
