import { describe, expect, it } from "vitest";
import { append, tight } from "../../src/core/tight-list.js";

describe("tight lists", () => {
  it("append starts a list of one and then appends to the same list", () => {
    const first = append<string>(undefined, "a");
    expect(first).toEqual(["a"]);
    const second = append(first, "b");
    expect(second).toBe(first);
    expect(second).toEqual(["a", "b"]);
  });

  it("tight copies a reused buffer, so later reuse of the buffer leaves the copy alone", () => {
    const buffer = ["k", "v"];
    const copy = tight(buffer);
    buffer.length = 0;
    buffer.push("other");
    expect(copy).toEqual(["k", "v"]);
    expect(tight([])).toEqual([]);
  });
});
