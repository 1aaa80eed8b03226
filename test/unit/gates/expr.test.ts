import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileExpression, evaluateCondition, evaluateExpression, ExpressionError, MAX_AST_DEPTH } from "../../../src/core/expr/index.js";

describe("expression evaluator", () => {
  it.each([
    ["1 + 2 * 3", {}, 7],
    ["(1 + 2) * 3", {}, 9],
    ["2 ** 3 ** 2", {}, 512],
    ["2 ^ 3", {}, 8],
    ["7 % 4", {}, 3],
    ["5 / 2", {}, 2.5],
    ["-2 + 3", {}, 1],
    ["1_000 + 0x10 + 1e2 + .5", {}, 1116.5],
    ["'a' + \"b\\n\"", {}, "ab\n"],
    ["'\\u00e9'", {}, "é"],
    ["result[0] >= 0.99", { result: [0.995] }, true],
    ["result[-1]", { result: [1, 2, 3] }, 3],
    ["result < 5", { result: 3 }, true],
    ["body.status == 'ok' && status == 200", { body: { status: "ok" }, status: 200 }, true],
    ["body['x-y']", { body: { "x-y": 4 } }, 4],
    ["body.missing", { body: {} }, null],
    ["body.missing ?? 3", { body: {} }, 3],
    ["nil == nil", {}, true],
    ["true and not false", {}, true],
    ["false or !false", {}, true],
    ["not true == false", {}, true],
    ["2 in [1, 2]", {}, true],
    ["3 not in [1, 2]", {}, true],
    ["'a' in {a: 1}".replace("{a: 1}", "m"), { m: { a: 1 } }, true],
    ["'abc' contains 'b' && 'abc' startsWith 'a' && 'abc' endsWith 'c'", {}, true],
    ["x > 1 ? 'big' : 'small'", { x: 2 }, "big"],
    ["x > 1 ? 'big' : x > 0 ? 'small' : 'none'", { x: 0 }, "none"],
    ["len(result) == 2", { result: [1, 2] }, true],
    ["len('héllo')", {}, 5],
    ["all(result, {# < 0.05})", { result: [0.01, 0.02] }, true],
    ["all(result, # < 0.05)", { result: [0.01, 0.2] }, false],
    ["any(result, {# > 1})", { result: [0, 2] }, true],
    ["none(result, {# > 1})", { result: [0, 2] }, false],
    ["one(result, {# > 1})", { result: [0, 2] }, true],
    ["count(result, {# > 0})", { result: [0, 2, 3] }, 2],
    ["filter(result, {# > 0})", { result: [0, 2, 3] }, [2, 3]],
    ["map(result, {# * 2})", { result: [1, 2] }, [2, 4]],
    ["map(items, {#.v})", { items: [{ v: 1 }, { v: 2 }] }, [1, 2]],
    ["min(3, 1, 2) + max([4, 5])", {}, 6],
    ["sum(result) / len(result) == mean(result)", { result: [1, 2, 3] }, true],
    ["abs(-2) + ceil(1.2) + floor(1.8) + round(1.5)", {}, 7],
    ["int('42') + float('0.5') + int(3.9)", {}, 45.5],
    ["asInt('7') + asFloat('1.5')", {}, 8.5],
    ["string(1) + string(true) + string(nil)", {}, "1truenil"],
    ["isNaN(result[0])", { result: [Number.NaN] }, true],
    ["isInf(result)", { result: -Infinity }, true],
    ["isNil(x) && default(x, 4) == 4", { x: null }, true],
    ["[1, [2]] == [1, [2]]", {}, true],
    ["m == {a: 1}".replace("{a: 1}", "n"), { m: { a: 1 }, n: { a: 1 } }, true],
    ["a.in", { a: { in: 1 } }, 1],
  ])("%s", (source, env, expected) => {
    expect(evaluateExpression(source, env)).toEqual(expected);
  });

  it.each([
    ["1 +", 4, "unexpected end"],
    ["(1", 3, 'expected ")"'],
    ["1 @ 2", 3, "unexpected character"],
    ["'abc", 1, "unterminated string"],
    ["", 1, "empty expression"],
    ["1 2", 3, 'unexpected "2"'],
    ["result[5]", 7, "out of range"],
    ["result.x", 7, "array index must be an integer"],
    ["nope > 1", 1, "unknown name nope"],
    ["1 + 'a'", 3, "+ needs numbers"],
    ["1 < 'a'", 3, "< needs two numbers or two strings"],
    ["1 && true", 3, "&& needs bools"],
    ["eval('1')", 1, "unknown function eval()"],
    ["len", 1, "len is a function"],
    ["#", 1, "# is only defined inside a predicate"],
    ["{1}", 1, "predicate is only allowed"],
    ["1 % 0", 3, "modulo by zero"],
    ["x.constructor.name", 14, "cannot read field name of nil"],
    ["all(result, {#})", 1, "must return a bool"],
  ])("%s fails at column %d", (source, column, message) => {
    const attempt = () => evaluateExpression(source, { result: [1] , x: {} });
    expect(attempt).toThrow(ExpressionError);
    try {
      attempt();
    } catch (error) {
      expect((error as ExpressionError).column).toBe(column);
      expect((error as ExpressionError).message).toContain(message);
    }
  });

  it("does not expose prototypes or inherited properties", () => {
    expect(evaluateExpression("m.constructor", { m: {} })).toBeNull();
    expect(evaluateExpression("m.__proto__", { m: {} })).toBeNull();
    expect(evaluateExpression("m.toString", { m: {} })).toBeNull();
    expect(() => evaluateExpression("toString", {})).toThrow("unknown name toString");
    expect(() => evaluateExpression("constructor", {})).toThrow("unknown name constructor");
  });

  it("requires a bool from conditions", () => {
    expect(evaluateCondition("result[0] > 1", { result: [2] })).toBe(true);
    expect(() => evaluateCondition("result[0]", { result: [2] })).toThrow("must evaluate to a bool");
  });

  it("limits depth, length and steps", () => {
    expect(() => compileExpression("(".repeat(MAX_AST_DEPTH + 1) + "1" + ")".repeat(MAX_AST_DEPTH + 1))).toThrow("nested deeper");
    expect(() => compileExpression(Array.from({ length: MAX_AST_DEPTH + 2 }, () => "1").join("+"))).toThrow("nested deeper");
    expect(() => compileExpression("1+".repeat(3000) + "1")).toThrow("longer than");
    const big = { list: Array.from({ length: 1000 }, (_, i) => i) };
    expect(() => evaluateExpression("all(list, {any(list, {all(list, {# >= 0})})})", big)).toThrow("exceeded");
  });

  it("reuses a compiled expression with a fresh step budget each time", () => {
    const compiled = compileExpression("all(list, {# >= 0})");
    const env = { list: Array.from({ length: 400 }, (_, i) => i) };
    for (let i = 0; i < 5; i++) expect(compiled.evaluate(env, { maxSteps: 2000 })).toBe(true);
  });

  it("property: random input only ever throws ExpressionError, and quickly", () => {
    const alphabet = "0123456789 +-*/%^!=<>&|?:()[]{},.#'\"\\abcdefinotrsulx_$@".split("");
    const fragments = ["result", "[0]", " && ", " in ", " not ", "all(", "{#", "}", "len(", "nil", "1e9", "**", "?", ":", "'", "(", ")", "."];
    const source = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom(...alphabet), { maxLength: 120 }).map((cs) => cs.join("")),
      fc.array(fc.constantFrom(...fragments, ...alphabet), { maxLength: 80 }).map((cs) => cs.join("")),
    );
    fc.assert(
      fc.property(source, (text) => {
        const started = performance.now();
        try {
          evaluateExpression(text, { result: [0.5, 2], body: { a: [1, { b: "x" }] }, status: 200 });
        } catch (error) {
          if (!(error instanceof ExpressionError)) throw error;
        }
        expect(performance.now() - started).toBeLessThan(250);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("expression precedence (expr-lang)", () => {
  it.each([
    ["1 + 2 * 3 ** 2", 19],
    ["-2 ** 2", -4],
    ["10 - 4 - 3", 3],
    ["2 ** 3 ** 2", 512],
    ["nil ?? 2 * 3", 6],
    ["1 < 2 == true", true],
    ["true || false && false", true],
    ["false ? 1 : true ? 2 : 3", 2],
  ])("%s = %s", (source, expected) => {
    expect(evaluateExpression(source, {})).toEqual(expected);
  });
});
