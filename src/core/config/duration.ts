/**
 * Durations as written in stagegate.yaml and policies: `90s`, `30m`, `2h`, `1d`, `1w`, or combined
 * (`1h30m`). The same grammar as Argo Rollouts/Kargo minus sub-second units, which no gate needs.
 */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** The duration grammar (the length limit of 32 is checked separately). */
export const DURATION_PATTERN = /^(?:\d+[smhdw])+$/;
const DURATION = DURATION_PATTERN;
const PART = /(\d+)([smhdw])/g;

/** True when `text` is a duration this project understands. */
export function isDuration(text: string): boolean {
  return text.length <= 32 && DURATION.test(text);
}

/** Parses a duration to milliseconds; throws on invalid input (validate first with {@link isDuration}). */
export function parseDuration(text: string): number {
  if (!isDuration(text)) throw new Error(`invalid duration "${text}" (use e.g. 30m, 2h, 1d, 1h30m)`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}

/** Formats milliseconds as the largest whole units, e.g. 5_400_000 → `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  let rest = Math.round(ms / 1000) * 1000;
  let out = "";
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = UNIT_MS[unit];
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return out || "0s";
}
