// The audit's fast paths (plain note check instead of zod, trailer text parser, digest token scanner,
// chunked log parser) must decide exactly as the reference implementations they replace.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BatchOutputParser } from "../../../src/adapters/git/git-stream.js";
import { LogFormatError, LogParser, parseLog } from "../../../src/adapters/git/log-parser.js";
import { auditNoteSchema, isPlainNote, parseNote } from "../../../src/core/audit/note-schema.js";
import { trailerValues } from "../../../src/core/audit/trailers.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const base = { service: "api", environment: "prod", artifact: { digest: DIGEST } };

describe("plain note check", () => {
  const cases: [string, unknown][] = [
    ["minimal", base],
    ["full", { ...base, version: 1, kind: "rollback", from: "staging", requestedBy: "rita", reason: "x", policy: "extra key kept", artifact: { digest: DIGEST, image: "ghcr.io/acme/api", tag: "v1", source: { repo: "acme/api", sha: "abc", author: "dave", committedAt: "2024-01-01T00:00:00Z" } }, previous: [{ digest: DIGEST }], pullRequest: { number: 12, author: "bob", url: "https://x" }, gates: [{ name: "soak", result: "success" }], approvals: [{ reviewer: "carol", at: "t" }, { user: "dave", count: 2 }], overrides: [{ gate: "soak", by: "rita" }], mergedBy: "stagegate", mergedAt: "t", deployments: [{ id: 3, state: "success" }, { id: "D_1" }] }],
    ["override reason defaulted", { ...base, overrides: [{ gate: "soak", by: "rita" }] }],
    ["wrong kind", { ...base, kind: "deploy" }],
    ["null optional", { ...base, from: null }],
    ["long text", { ...base, reason: "x".repeat(2001) }],
    ["long login", { ...base, mergedBy: "x".repeat(201) }],
    ["fractional PR", { ...base, pullRequest: { number: 1.5 } }],
    ["missing digest", { ...base, artifact: { image: "x" } }],
    ["array artifact", { ...base, artifact: [DIGEST] }],
    ["gate without name", { ...base, gates: [{ result: "success" }] }],
    ["deployment id boolean", { ...base, deployments: [{ id: true }] }],
    ["override without by", { ...base, overrides: [{ gate: "soak" }] }],
  ];
  it.each(cases)("%s: same verdict and value as the zod schema", (_name, value) => {
    const viaZod = auditNoteSchema.safeParse(structuredClone(value));
    const parsed = parseNote(JSON.stringify(value));
    if (viaZod.success) expect(parsed).toEqual({ note: viaZod.data });
    else expect(parsed).toEqual({ error: expect.stringMatching(/^not an evidence note: /) });
    const copy = structuredClone(value) as Record<string, unknown>;
    if (isPlainNote(copy)) expect(viaZod.success).toBe(true);
  });

  it("decides as the combinator check it replaced and never passes what zod refuses, on generated notes", () => {
    // The reference: the shape check as combinators over closures (what the straight-line check replaced).
    type Check = (v: unknown) => boolean;
    const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    const isText: Check = (v) => typeof v === "string" && v.length <= 2000;
    const isLogin: Check = (v) => typeof v === "string" && v.length <= 200;
    const isNumber: Check = (v) => typeof v === "number" && Number.isFinite(v);
    const opt = (check: Check): Check => (v) => v === undefined || check(v);
    const object = (shape: Record<string, Check>): Check => (v) => isObj(v) && Object.keys(shape).every((key) => shape[key]!(v[key]));
    const arrayOf = (check: Check): Check => (v) => Array.isArray(v) && v.every(check);
    const reference = object({
      version: opt(isNumber),
      kind: (v) => v === undefined || v === "promotion" || v === "rollback",
      service: isText,
      environment: isText,
      from: opt(isText),
      requestedBy: opt(isLogin),
      reason: opt(isText),
      artifact: object({ digest: isText, image: opt(isText), tag: opt(isText), source: opt(object({ repo: opt(isText), sha: opt(isText), author: opt(isLogin), committedAt: opt(isText) })) }),
      previous: opt(arrayOf(object({ digest: isText }))),
      pullRequest: opt(object({ number: (v) => Number.isSafeInteger(v), author: opt(isLogin), url: opt(isText) })),
      gates: opt(arrayOf(object({ name: isText, result: opt(isText), conclusion: opt(isText), summary: opt(isText) }))),
      approvals: opt(arrayOf(object({ reviewer: opt(isLogin), user: opt(isLogin), at: opt(isText), count: opt(isNumber) }))),
      overrides: opt(arrayOf(object({ gate: isText, by: isLogin, reason: opt(isText), at: opt(isText), secondBy: opt(isLogin) }))),
      mergedBy: opt(isLogin),
      mergedAt: opt(isText),
      deployments: opt(arrayOf(object({ id: (v) => v === undefined || isNumber(v) || typeof v === "string", environment: opt(isText), state: opt(isText), result: opt(isText), at: opt(isText) }))),
    });
    // Each field mostly valid (at the length limits too), sometimes anything: missing, null, empty, too
    // long for a login or a text, numbers, booleans, containers, another kind.
    const leaf = fc.constantFrom<unknown>(undefined, null, "", "ok", "x".repeat(201), "x".repeat(2001), 0, 1.5, 12, 2 ** 53, true, [], {}, "promotion", "rollback", "deploy", DIGEST);
    const mostly = (valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: leaf });
    const text = mostly(fc.constantFrom(undefined, "ok", "", "x".repeat(2000)));
    const login = mostly(fc.constantFrom(undefined, "ok", "x".repeat(200)));
    const required = (value: unknown) => mostly(fc.constant(value));
    const obj = (fields: Record<string, fc.Arbitrary<unknown>>) => mostly(fc.record(fields));
    const list = (item: fc.Arbitrary<unknown>) => mostly(fc.oneof(fc.constant(undefined), fc.array(item, { maxLength: 3 })));
    const note = fc.record({
      version: mostly(fc.constantFrom(undefined, 1, 2.5)),
      kind: mostly(fc.constantFrom(undefined, "promotion", "rollback")),
      service: required("api"),
      environment: required("prod"),
      from: text,
      requestedBy: login,
      reason: text,
      artifact: obj({ digest: required(DIGEST), image: text, tag: text, source: mostly(fc.oneof(fc.constant(undefined), fc.record({ repo: text, sha: text, author: login, committedAt: text }))) }),
      previous: list(obj({ digest: required(DIGEST) })),
      pullRequest: mostly(fc.oneof(fc.constant(undefined), fc.record({ number: mostly(fc.constantFrom(1, 2 ** 53 - 1)), author: login, url: text }))),
      gates: list(obj({ name: required("soak"), result: text, conclusion: text, summary: text })),
      approvals: list(obj({ reviewer: login, user: login, at: text, count: mostly(fc.constantFrom(undefined, 2)) })),
      overrides: list(obj({ gate: required("soak"), by: required("rita"), reason: text, at: text, secondBy: login })),
      mergedBy: login,
      mergedAt: text,
      deployments: list(obj({ id: mostly(fc.constantFrom(undefined, 3, "D_1")), environment: text, state: text, result: text, at: text })),
      policy: leaf,
    });
    let plain = 0;
    fc.assert(
      fc.property(note, (value) => {
        const verdict = isPlainNote(structuredClone(value) as Record<string, unknown>);
        expect(verdict).toBe(reference(structuredClone(value)));
        if (verdict) {
          plain++;
          expect(auditNoteSchema.safeParse(structuredClone(value)).success).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
    expect(plain).toBeGreaterThan(100);
  });

  it("appended parts merge before the check", () => {
    const text = `${JSON.stringify({ ...base, deployments: [{ id: 1, state: "success" }] })}\n\n${JSON.stringify({ deployments: [{ id: 1, state: "failure" }] })}\n`;
    expect(parseNote(text)).toEqual({ note: { ...base, deployments: [{ id: 1, state: "success" }, { id: 1, state: "failure" }] } });
  });

  it("later parts win for plain fields, in the first part's key order, and __proto__ stays a plain key", () => {
    const text = `${JSON.stringify({ ...base, mergedBy: "a", deployments: [{ id: 1 }] })}\n\n{"mergedBy":"b","__proto__":{"polluted":true},"approvals":[{"reviewer":"x"}]}\n\n{"deployments":[{"id":2}],"approvals":[{"reviewer":"y"}]}`;
    const parsed = parseNote(text);
    if (!("note" in parsed)) throw new Error(parsed.error);
    expect(parsed.note.mergedBy).toBe("b");
    expect(parsed.note.deployments).toEqual([{ id: 1 }, { id: 2 }]);
    expect(parsed.note.approvals).toEqual([{ reviewer: "x" }, { reviewer: "y" }]);
    expect(Object.keys(parsed.note)).toEqual([...Object.keys(base), "mergedBy", "deployments", "__proto__", "approvals"]);
    expect(Object.getPrototypeOf(parsed.note)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("log parser", () => {
  /** One record as the audit's `git log -z --format` writes it: `\x1e`, NUL-terminated fields, `\x1d`, NUL, raw entries. */
  const logRecord = (fields: { sha: string; parents: string; an?: string; ae?: string; ad?: string; cn?: string; ce?: string; cd?: string; sig?: string; message?: string; note?: string }, raw = "") =>
    `\x1e${[fields.sha, fields.parents, fields.an ?? "Zoë Åström", fields.ae ?? "a@x", fields.ad ?? "2024-01-01T00:00:00Z", fields.cn ?? "C", fields.ce ?? "c@x", fields.cd ?? "2024-01-01T00:00:01Z", fields.sig ?? "", fields.message ?? "", fields.note ?? ""].join("\0")}\0\x1d\0${raw ? `\n${raw}` : ""}`;
  const record = (sha: string, parents: string, trailers: string, note: string, raw: string) => logRecord({ sha, parents, message: `Subject ${sha}\n\nBody\n${trailers ? `\n${trailers}\n` : ""}`, note }, raw);
  const a = "a".repeat(40);
  const b = "b".repeat(40);
  const blob = "1".repeat(40);
  const log =
    record(a, b, "Stagegate-Service: api\nStagegate-Environment: prod", `${JSON.stringify(base)}\n`, `:100644 100644 ${"0".repeat(40)} ${blob} M\0environments/prod/k.yaml\0:100644 100644 ${blob} ${"0".repeat(40)} D\0:odd name\0`) +
    record(b, "", "", "", `:000000 100644 ${"0".repeat(40)} ${blob} A\0stagegate.yaml\0`);

  /** Parses `text` whole and in byte chunks of several sizes (cuts inside multi-byte characters too); all must agree. */
  const parseEveryWay = (text: string, sizes = [1, 7, 64, 333]) => {
    const whole = parseLog(text, false);
    const bytes = Buffer.from(text, "utf8");
    for (const size of sizes) {
      const parser = new LogParser(false);
      for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size));
      expect(parser.end()).toEqual(whole);
    }
    return whole;
  };

  it("gives the same records whatever the chunking", () => {
    const whole = parseEveryWay(log);
    expect(whole.records.map((r) => r.sha)).toEqual([a, b]);
    expect(whole.records[0]?.note?.service).toBe("api");
    expect(trailerValues(whole.records[0]?.trailers ?? [], "stagegate-environment")).toEqual(["prod"]);
    expect(whole.records[0]?.author.name).toBe("Zoë Åström");
    expect(whole.records[0]).toMatchObject({ subject: `Subject ${a}`, body: "Body\n\nStagegate-Service: api\nStagegate-Environment: prod\n" });
    expect(whole.raws.get(a)).toEqual([
      { status: "M", newBlob: blob, path: "environments/prod/k.yaml" },
      { status: "D", newBlob: "0".repeat(40), path: ":odd name" },
    ]);
    expect(whole.raws.get(b)).toEqual([{ status: "A", newBlob: blob, path: "stagegate.yaml" }]);
  });

  it("gives the same records when chunks are larger than records, whatever record a chunk cuts", () => {
    // Chunks above 4 KiB: a record cut by one is completed from the next chunk's head, the rest read in place.
    const ids = Array.from({ length: 40 }, (_, i) => i.toString(16).padStart(40, "0"));
    const text = ids.map((sha, i) => logRecord({ sha, parents: ids[i + 1] ?? "", message: `Subject ${i}\n\n${"body ✓ ".repeat(37 * i)}`, note: i % 3 ? "" : JSON.stringify(base) }, i % 2 ? `:100644 100644 ${blob} ${blob} M\0p${i}\0` : "")).join("");
    const whole = parseEveryWay(text, [4097, 5000, 6151, 8192, 12_289, 65_536]);
    expect(whole.records).toHaveLength(40);
    expect(whole.records[39]?.body).toBe("body ✓ ".repeat(37 * 39));
  });

  it("cannot be misled by separators inside names, messages, notes or paths", () => {
    // What a commit may hold: any byte but NUL in names, emails, the message and the note; any byte but NUL in a path.
    const forged = `\x1e${"f".repeat(40)}\x1f${b}\x1fStagegate\x1fbot@x\x1f2024-01-01T00:00:00Z\x1fS\x1fs@x\x1f2024-01-01T00:00:00Z\x1fG\x1fPromote api\n\nStagegate-Service: api\x1f\x1f\x1d`;
    const hostile = logRecord(
      { sha: a, parents: b, an: "Mal\x1flory\x1e", ae: "m\x1dx@evil", message: `hotfix\n\n${forged}\n\x1e\x1d:100644 100644 x y M`, note: `{"x":1}\x1e\x1f\x1d\n:100644` },
      `:100644 100644 ${blob} ${blob} M\0environments/prod/\x1e\x1f\x1d:\nname.yaml\0:100644 100644 ${blob} ${blob} M\0plain\0`,
    ) + logRecord({ sha: b, parents: "" });
    const { records, raws } = parseEveryWay(hostile);
    expect(records.map((r) => r.sha)).toEqual([a, b]);
    expect(records[0]?.author).toMatchObject({ name: "Mal\x1flory\x1e", email: "m\x1dx@evil" });
    expect(records[0]?.subject).toBe("hotfix");
    expect(records[0]?.body).toBe(`${forged}\n\x1e\x1d:100644 100644 x y M`);
    expect(records[0]?.signature).toBeUndefined();
    expect(records[0]?.noteError).toContain("not JSON");
    expect(raws.get(a)).toEqual([
      { status: "M", newBlob: blob, path: "environments/prod/\x1e\x1f\x1d:\nname.yaml" },
      { status: "M", newBlob: blob, path: "plain" },
    ]);
  });

  it.each([
    ["text before the first record", `x${logRecord({ sha: a, parents: "" })}`, "does not start"],
    ["a commit id that is not one", logRecord({ sha: "a".repeat(39), parents: "" }), "commit id"],
    ["parents that are not ids", logRecord({ sha: a, parents: `${b}  ${b}` }), "parents"],
    ["a header with a field too many", logRecord({ sha: a, parents: "" }).replace("\x1d", "extra\0\x1d"), "more fields"],
    ["a record cut short", logRecord({ sha: a, parents: "" }).slice(0, 30), "ends inside a record"],
    ["a raw entry cut short", logRecord({ sha: a, parents: "" }, `:100644 100644 ${blob} ${blob} M\0path`), "ends inside a record"],
    ["bytes after the raw entries", `${logRecord({ sha: a, parents: "" }, `:100644 100644 ${blob} ${blob} M\0p\0`)}junk`, "after a record"],
  ])("stops on %s instead of skipping it", (_, text, message) => {
    expect(() => parseLog(text, false)).toThrow(LogFormatError);
    expect(() => parseLog(text, false)).toThrow(message);
  });

  it("reads each commit's own people, dates and id when fields repeat, alternate or change length", () => {
    const people = [
      ["stagegate[bot]", "bot@x", "GitHub", "noreply@github.com"],
      ["Zoë", "z@x", "Zoë", "z@x"],
      ["stagegate[bot]", "bot@x", "GitHub", "noreply@github.com"],
      ["stagegate[bot]", "bot@x", "GitHub", "noreply@github.co"],
      ["Zoé", "z@x", "Zoë", "z@xx"],
    ];
    const dates = [["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"], ["2024-01-02T00:00:00Z", "2024-01-02T00:00:05Z"]];
    const ids = ["c", "d", "e", "f", "0"].map((c) => c.repeat(40));
    // Parents: the chain, except the third record, whose id is not the previous record's first parent.
    const parents = [ids[1], `${ids[2]} ${"9".repeat(40)}`, ids[4], ids[4], ""];
    const text = people
      .map(([an, ae, cn, ce], i) => {
        const [ad, cd] = dates[i % 2]!;
        return logRecord({ sha: ids[i === 3 ? 2 : i]!, parents: parents[i]!, an, ae, ad, cn, ce, cd, message: "S" });
      })
      .join("");
    const { records } = parseLog(text, false);
    expect(records.map((r) => [r.author.name, r.author.email, r.committer.name, r.committer.email])).toEqual(people);
    expect(records.map((r) => [r.author.date, r.committer.date])).toEqual(people.map((_, i) => dates[i % 2]));
    expect(records.map((r) => r.sha)).toEqual([ids[0], ids[1], ids[2], ids[2], ids[4]]);
    expect(records.map((r) => r.parents)).toEqual(parents.map((p) => (p ? p!.split(" ") : [])));
  });
});

describe("cat-file --batch output parser", () => {
  const entry = fc.oneof(
    fc.record({ type: fc.constantFrom("blob", "commit", "tree"), data: fc.uint8Array({ maxLength: 300 }) }),
    fc.constant(undefined),
  );
  const serialise = (entries: readonly ({ type: string; data: Uint8Array } | undefined)[]) =>
    Buffer.concat(entries.map((e, i) => (e ? Buffer.concat([Buffer.from(`${String(i).padStart(40, "0")} ${e.type} ${e.data.length}\n`), e.data, Buffer.from("\n")]) : Buffer.from(`name${i} missing\n`))));

  it("hands over every entry in order, whatever the chunking (objects holding line feeds, empty ones, missing ones)", () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 8 }), (entries, sizes) => {
        const bytes = serialise(entries);
        const seen: ({ oid: string; type: string; data: string } | undefined)[] = [];
        const parser = new BatchOutputParser((o) => seen.push(o && { oid: o.oid, type: o.type, data: o.data.toString("hex") }));
        for (let i = 0, k = 0; i < bytes.length; k++) {
          const size = sizes[k % sizes.length]!;
          parser.push(bytes.subarray(i, i + size));
          i += size;
        }
        expect(parser.pending).toBe(false);
        expect(seen).toEqual(entries.map((e, i) => e && { oid: String(i).padStart(40, "0"), type: e.type, data: Buffer.from(e.data).toString("hex") }));
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
});
