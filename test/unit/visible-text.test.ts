import { describe, expect, it } from "vitest";
import { isHiddenControl, visibleControls } from "../../src/core/visible-text.js";

describe("visibleControls", () => {
  it("returns text without controls as the same string", () => {
    const text = "Zoë <z@x>\ttab\nline\r\n ünïcödé ✓ \u200b";
    expect(visibleControls(text)).toBe(text);
  });
  it("shows C0 controls and DEL as their control pictures, C1 and bidirectional controls as U+FFFD", () => {
    expect(visibleControls("a\x1b[2Kb\x00c\x07\x7f")).toBe("a\u241b[2Kb\u2400c\u2407\u2421");
    expect(visibleControls("x\u009b31my\u202eevil\u2066z")).toBe("x\ufffd31my\ufffdevil\ufffdz");
  });
  it("decides every UTF-16 code unit as the character classes say", () => {
    const bidi = /[\u202a-\u202e\u2066-\u2069]/;
    // eslint-disable-next-line no-control-regex -- control characters are the point
    const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/;
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      expect(isHiddenControl(code), `U+${code.toString(16)}`).toBe(control.test(char) || bidi.test(char));
    }
  });
});
