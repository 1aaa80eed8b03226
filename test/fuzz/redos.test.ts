/**
 * ReDoS check of every regular expression literal in src/ (found with the TypeScript parser, so new ones
 * are covered automatically): each is run against long adversarial inputs (pumped repetitions of the
 * characters regexes backtrack on, with a failing suffix) and must answer within a time budget. Regexes
 * built with `new RegExp` from outside input are listed separately and reviewed in docs/security.md.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = new URL("../../src/", import.meta.url).pathname;
/** Per regex and input: far above a linear scan, far below an exponential blow-up. */
const BUDGET_MS = 250;
/**
 * 5,000 characters: catastrophic (exponential) backtracking explodes long before; quadratic patterns such
 * as `/\s+$/` stay within budget here (they are listed in docs/security.md with the input bounds that keep
 * them harmless).
 */
const PUMP_LENGTH = 5_000;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

interface Found {
  file: string;
  line: number;
  source: string;
}

function findRegexLiterals(): { literals: Found[]; constructed: Found[] } {
  const literals: Found[] = [];
  const constructed: Found[] = [];
  for (const file of listFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      const where = { file: file.slice(SRC.length), line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1 };
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) literals.push({ ...where, source: node.getText() });
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "RegExp") constructed.push({ ...where, source: node.getText() });
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { literals, constructed };
}

const PUMPS = [" ", "a", "A", "0", "9", "-", "_", ".", "/", ":", "=", "@", "*", "\t", "\n", "\r\n", "#", "{", "a.", "a-", "a/", "0.", "a ", " a", "-a", "aa:", "sha256:", "@sha256:", "${{", "{{a", "a=b,", "a:b/", "x@y.", "<!--", "`a`"];
const SUFFIXES = ["!", "\u0000"];

function* adversarialInputs(): Generator<string> {
  for (const pump of PUMPS) {
    const body = pump.repeat(Math.ceil(PUMP_LENGTH / pump.length));
    for (const suffix of SUFFIXES) yield body + suffix;
  }
}

const { literals, constructed } = findRegexLiterals();

describe("ReDoS", () => {
  it("finds the regex literals of src/", () => {
    expect(literals.length).toBeGreaterThan(50);
  });

  it("every regex literal in src/ has no catastrophic backtracking on adversarial inputs", () => {
    const inputs = [...adversarialInputs()];
    const slow: string[] = [];
    let worst = { ms: 0, where: "" };
    for (const found of literals) {
      const match = /^\/(.*)\/([a-z]*)$/s.exec(found.source)!;
      // The global/sticky flags carry lastIndex state; test the pattern itself.
      const regex = new RegExp(match[1]!, match[2]!.replace(/[gy]/g, ""));
      for (const input of inputs) {
        const start = performance.now();
        regex.test(input);
        const ms = performance.now() - start;
        if (ms > worst.ms) worst = { ms, where: `${found.file}:${found.line} ${found.source}` };
        if (ms > BUDGET_MS) slow.push(`${found.file}:${found.line} ${found.source} took ${ms.toFixed(0)} ms on ${JSON.stringify(input.slice(0, 12))}×${input.length}`);
      }
    }
    console.log(`redos: ${literals.length} regex literals × ${inputs.length} inputs of ${PUMP_LENGTH} chars; slowest ${worst.ms.toFixed(1)} ms (${worst.where})`);
    expect(slow).toEqual([]);
  });

  it("regexes built at run time are the reviewed ones (docs/security.md)", () => {
    expect(constructed.map((c) => `${c.file}:${c.source}`).sort()).toMatchInlineSnapshot(`[]`);
  });
});
