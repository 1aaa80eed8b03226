/**
 * Hostile input to every parser of outside input: configuration and policies (PR authors on the default
 * branch), PR bodies and commit trailers (anyone who can edit a PR or push), intake payloads and
 * `/stagegate` comments (CI senders, commenters), the intake HMAC check, expressions (policy authors,
 * evaluated against HTTP responses), the image editors (arbitrary YAML in the environments repo) and the
 * audit's git log parser (names, messages, notes and paths of commits anyone with push access made).
 * Each must return or throw only its documented error type, within MAX_MS_PER_INPUT per input.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { LogFormatError, LogParser, parseLog, splitMessage } from "../../src/adapters/git/log-parser.js";
import { verifyIntakeSignature, signIntake } from "../../src/app/intake-route.js";
import { parseNote } from "../../src/core/audit/note-schema.js";
import { parseMessageTrailers } from "../../src/core/audit/trailers.js";
import { loadConfiguration } from "../../src/core/config/index.js";
import { parsePromotionBody } from "../../src/core/evidence/body.js";
import { parseTrailers, splitCommitMessage } from "../../src/core/evidence/trailers.js";
import { ExpressionError, evaluateCondition, evaluateExpression } from "../../src/core/expr/index.js";
import { parsePromoteCommand } from "../../src/core/intake/command.js";
import { artifactPayloadSchema, httpIntakeSchema } from "../../src/core/intake/payloads.js";
import { setImageDigest } from "../../src/editors/index.js";
import { FUZZ, hostileString, MAX_MS_PER_INPUT, Slowest, timed } from "./support.js";

const slowest = new Map<string, Slowest>();
function measure(name: string, run: () => unknown): void {
  const entry = slowest.get(name) ?? new Slowest();
  slowest.set(name, entry);
  const ms = timed(run);
  entry.note(ms);
  expect(ms, `${name} took ${ms.toFixed(0)} ms on one input`).toBeLessThan(MAX_MS_PER_INPUT);
}

afterAll(() => {
  const parts = [...slowest].map(([name, s]) => `${name} ${s.runs} inputs, slowest ${s.ms.toFixed(1)} ms`);
  console.log(`fuzz: ${parts.join("; ")}`);
});

const DIGEST: `sha256:${string}` = `sha256:${"a".repeat(64)}`;

/** YAML-ish documents: valid config skeletons with hostile values, or garbage. */
const yamlDocument = fc.oneof(
  hostileString(2000),
  fc.tuple(hostileString(80), hostileString(80), hostileString(80)).map(([a, b, c]) => `version: 1\nenvironments:\n  - name: ${a}\n    path: ${b}\n    from: [${c}]\nservices:\n  - name: ${a}\n    image: ${c}\n`),
  fc.integer({ min: 1, max: 2000 }).map((n) => `a: &a [${"*a,".repeat(Math.min(n, 50))}]\nb: ${"[".repeat(n)}`),
  fc.integer({ min: 1, max: 200 }).map((n) => `x: &x0 [1]\n${Array.from({ length: Math.min(n, 30) }, (_, i) => `x${i + 1}: &x${i + 1} [*x${i}, *x${i}, *x${i}]`).join("\n")}\n`),
);

describe("configuration (stagegate.yaml, policies/*)", () => {
  it("returns diagnostics, never throws, for arbitrary files", () => {
    fc.assert(
      fc.property(yamlDocument, yamlDocument, (config, policy) => {
        measure("loadConfiguration", () => {
          const result = loadConfiguration(new Map([["stagegate.yaml", config], ["policies/dev.yaml", policy]]));
          if (!result.ok) expect(result.diagnostics.length).toBeGreaterThan(0);
          for (const d of result.ok ? result.warnings : result.diagnostics) expect(d.message).toEqual(expect.any(String));
        });
      }),
      // Half the runs: each input is two YAML documents through parse + schema + semantics.
      { ...FUZZ, numRuns: Math.ceil(FUZZ.numRuns / 2) },
    );
  });
});

describe("evidence in PR bodies and commit trailers", () => {
  const block = fc.tuple(hostileString(200), fc.string({ maxLength: 300 })).map(([before, json]) => `${before}\n<!-- stagegate:evidence v1 ${json} -->\n`);
  it("parsePromotionBody returns ok/missing/invalid", () => {
    fc.assert(
      fc.property(fc.oneof(hostileString(5000), block), (body) => {
        measure("parsePromotionBody", () => {
          const result = parsePromotionBody(body);
          if (!result.ok) expect(["missing", "invalid"]).toContain(result.error);
        });
      }),
      FUZZ,
    );
  });
  it("parseTrailers and splitCommitMessage accept any message", () => {
    const trailerish = fc.array(fc.tuple(fc.constantFrom("Stagegate-PR", "Stagegate-Digest", "X", "a b", ""), hostileString(100)), { maxLength: 50 }).map((ts) => `subject\n\nbody\n\n${ts.map(([k, v]) => `${k}: ${v}`).join("\n")}`);
    fc.assert(
      fc.property(fc.oneof(hostileString(5000), trailerish), (message) => {
        measure("parseTrailers", () => {
          for (const t of parseTrailers(message)) expect(typeof t.key === "string" && typeof t.value === "string").toBe(true);
          expect(typeof splitCommitMessage(message).subject).toBe("string");
        });
      }),
      FUZZ,
    );
  });
});

describe("git history as the audit reads it (anyone who can push writes it)", () => {
  const noNul = (max: number) => hostileString(max).map((s) => s.replaceAll("\0", ""));
  const hex = fc.stringMatching(/^[0-9a-f]{40}$/);
  const entry = fc.record({ status: fc.constantFrom("A", "M", "D", "T"), newBlob: hex, path: noNul(120).filter((p) => p.length > 0) });
  const commit = fc.record({
    sha: hex,
    parents: fc.array(hex, { maxLength: 3 }),
    an: noNul(60),
    ae: noNul(60),
    cn: noNul(60),
    ce: noNul(60),
    message: noNul(400),
    note: noNul(200),
    raw: fc.array(entry, { maxLength: 4 }),
  });
  /** What `git log -z` writes for a commit in the audit's format (dates fixed: git writes them). */
  const serialise = (c: typeof commit extends fc.Arbitrary<infer T> ? T : never) =>
    `\x1e${[c.sha, c.parents.join(" "), c.an, c.ae, "2024-01-01T00:00:00Z", c.cn, c.ce, "2024-01-02T00:00:00Z", "", c.message, c.note].join("\0")}\0\x1d\0` +
    (c.raw.length > 0 ? `\n${c.raw.map((e) => `:100644 100644 ${"0".repeat(40)} ${e.newBlob} ${e.status}\0${e.path}\0`).join("")}` : "");

  it("reads back exactly what any commits hold, however the bytes are chunked", () => {
    fc.assert(
      fc.property(fc.array(commit, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 97 }), (commits, size) => {
        measure("git log parser", () => {
          const bytes = Buffer.from(commits.map(serialise).join(""), "utf8");
          const parser = new LogParser(false);
          for (let i = 0; i < bytes.length; i += size) parser.push(bytes.subarray(i, i + size));
          const { records, raws } = parser.end();
          expect(records.map((r) => [r.sha, r.parents, r.author.name, r.author.email, r.committer.name, r.committer.email, r.trailers])).toEqual(
            commits.map((c) => [c.sha, c.parents, c.an, c.ae, c.cn, c.ce, parseMessageTrailers(c.message)]),
          );
          records.forEach((record, i) => {
            const c = commits[i]!;
            expect({ subject: record.subject, body: record.body }).toEqual(splitMessage(c.message));
            const note = c.note.trim() ? parseNote(c.note) : undefined;
            expect(record.note ?? record.noteError).toEqual(note === undefined ? undefined : "note" in note ? note.note : note.error);
            // Commits with the same id: the map keeps the last one's entries, as it does for git.
            if (commits.findLastIndex((o) => o.sha === c.sha) === i) expect(raws.get(c.sha)).toEqual(c.raw);
          });
        });
      }),
      FUZZ,
    );
  });

  it("output cut or garbled anywhere is refused with LogFormatError, or read as the records it still holds", () => {
    fc.assert(
      fc.property(fc.array(commit, { minLength: 1, maxLength: 3 }), fc.nat(), fc.constantFrom("cut", "byte"), (commits, at, how) => {
        const bytes = Buffer.from(commits.map(serialise).join(""), "utf8");
        const cut = at % bytes.length;
        const damaged = how === "cut" ? bytes.subarray(0, cut) : Buffer.concat([bytes.subarray(0, cut), Buffer.from([0x1e]), bytes.subarray(cut)]);
        try {
          const { records } = parseLog(damaged, false);
          // Not refused: a cut between records, or a \x1e inside a text field (which any of them may hold).
          expect(records.length).toBeLessThanOrEqual(commits.length);
        } catch (error) {
          expect(error).toBeInstanceOf(LogFormatError);
        }
      }),
      FUZZ,
    );
  });
});

describe("intake payloads, comments and signatures", () => {
  const jsonish = fc.oneof(fc.jsonValue(), fc.record({ service: hostileString(100), digest: fc.oneof(hostileString(100), fc.constant(DIGEST)), image: hostileString(100), tag: hostileString(200), createdAt: hostileString(40), environment: hostileString(60), repository: hostileString(60) }, { requiredKeys: [] }));
  it("payload schemas accept or refuse with issues", () => {
    fc.assert(
      fc.property(jsonish, (payload) => {
        measure("intake payload schemas", () => {
          for (const schema of [artifactPayloadSchema, httpIntakeSchema]) {
            const result = schema.safeParse(payload);
            if (!result.success) expect(result.error.issues.length).toBeGreaterThan(0);
            else expect(result.data.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
          }
        });
      }),
      FUZZ,
    );
  });
  it("/stagegate promote parser: undefined, ok, or an error message", () => {
    const command = fc.tuple(hostileString(100), hostileString(100), hostileString(100)).map(([a, b, c]) => `${a}\n/stagegate promote ${b} ${c} to ${a}\n${c}`);
    fc.assert(
      fc.property(fc.oneof(hostileString(5000), command), (body) => {
        measure("parsePromoteCommand", () => {
          const result = parsePromoteCommand(body);
          if (result && !result.ok) expect(result.error.length).toBeGreaterThan(0);
          if (result?.ok) expect(result.service).toMatch(/^[a-z0-9][a-z0-9-]*$/i);
        });
      }),
      FUZZ,
    );
  });
  it("the intake HMAC accepts exactly the right signature", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 2000 }), hostileString(200), (secret, timestamp, body, presented) => {
        measure("verifyIntakeSignature", () => {
          const buffer = Buffer.from(body);
          expect(verifyIntakeSignature(secret, timestamp, buffer, signIntake(secret, timestamp, buffer))).toBe(true);
          expect(verifyIntakeSignature(secret, timestamp, buffer, presented)).toBe(presented === signIntake(secret, timestamp, buffer));
          expect(verifyIntakeSignature(`${secret}x`, timestamp, buffer, signIntake(secret, timestamp, buffer))).toBe(false);
        });
      }),
      FUZZ,
    );
  });
});

describe("expressions", () => {
  const exprish = fc.oneof(
    hostileString(300),
    fc.array(fc.constantFrom("result", "[0]", ".", "x", " && ", " || ", "!", "(", ")", " == ", " < ", "1", "'a'", "len(", ",", "+", "*", "-", "?", ":", "]", "in", " "), { maxLength: 80 }).map((p) => p.join("")),
    fc.integer({ min: 1, max: 5000 }).map((n) => `${"(".repeat(n)}1${")".repeat(n)}`),
    fc.integer({ min: 1, max: 3000 }).map((n) => `${"!".repeat(n)}true`),
  );
  it("evaluate returns a value or throws ExpressionError", () => {
    fc.assert(
      fc.property(exprish, fc.jsonValue(), (source, result) => {
        measure("expressions", () => {
          for (const run of [() => evaluateExpression(source, { result, x: [1, 2, 3] }), () => evaluateCondition(source, { result })]) {
            try {
              run();
            } catch (error) {
              expect(error).toBeInstanceOf(ExpressionError);
            }
          }
        });
      }),
      FUZZ,
    );
  });
});

describe("image editors on arbitrary YAML", () => {
  const names = ["kustomization.yaml", "values.yaml", "deployment.yaml", "app.yaml", "x.json", "Chart.yaml"];
  const doc = fc.oneof(yamlDocument, hostileString(3000).map((s) => `images:\n  - name: ghcr.io/acme/api\n    digest: ${s}\n`), hostileString(500).map((s) => `spec:\n  template:\n    spec:\n      containers:\n        - image: ghcr.io/acme/api:${s}\n`));
  it("setImageDigest returns a status, and only 'changed' changes the bytes", () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), doc, (name, content) => {
        measure("setImageDigest", () => {
          const result = setImageDigest(name, content, { image: "ghcr.io/acme/api", digest: DIGEST });
          expect(["changed", "unchanged", "not-found", "skipped", "refused"]).toContain(result.status);
          if (result.status !== "changed") expect(result.content).toBe(content);
        });
      }),
      FUZZ,
    );
  });
});
