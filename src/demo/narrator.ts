/** Writes the demo's story: headings, ✔/✖ per step, details; colour only on a TTY without NO_COLOR. */
export class Narrator {
  readonly #write: (text: string) => void;
  readonly #color: boolean;
  failures = 0;

  constructor(write: (text: string) => void, color: boolean) {
    this.#write = write;
    this.#color = color;
  }

  #paint(code: string, text: string): string {
    return this.#color ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  bold(text: string): string {
    return this.#paint("1", text);
  }

  dim(text: string): string {
    return this.#paint("2", text);
  }

  heading(text: string): void {
    this.#write(`\n${this.#paint("1;36", `▸ ${text}`)}\n`);
  }

  say(text: string): void {
    this.#write(`  ${text}\n`);
  }

  detail(text: string): void {
    for (const line of text.split("\n")) this.#write(`      ${this.dim(line)}\n`);
  }

  ok(text: string): void {
    this.#write(`  ${this.#paint("32", "✔")} ${text}\n`);
  }

  fail(text: string): void {
    this.failures++;
    this.#write(`  ${this.#paint("31", "✖")} ${text}\n`);
  }

  raw(text: string): void {
    this.#write(text);
  }
}

/** Whether to colour: a TTY, and NO_COLOR unset or empty (https://no-color.org). */
export function shouldColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return Boolean(stream.isTTY) && !env["NO_COLOR"];
}
