/**
 * Matches `text` against a pattern where `*` stands for any run of characters (including none) and
 * every other character is literal. No regex is built, so user patterns cannot cause catastrophic
 * backtracking: the classic two-pointer algorithm backtracks only to the last `*`, O(len × len).
 */
export function matchGlob(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}
