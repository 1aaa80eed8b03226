import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

/**
 * Reads one response from the front of `buf`: its value and how many bytes it took, or undefined
 * while the response is still incomplete.
 */
export type ResponseParser<T> = (buf: Buffer) => { value: T; consumed: number } | undefined;

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

/**
 * One long-lived git process spoken to line by line (`cat-file --batch`, `mktree --batch`,
 * `hash-object --stdin-paths`): a request is a line on stdin, its response is parsed off stdout in
 * order. Spawning git costs milliseconds per call; these commands answer in microseconds once running.
 *
 * The process holds no state between requests that could go stale: refs and loose objects are read from
 * disk on every request, so other processes' writes are seen at once. It is started on first use,
 * restarted after it dies, and unref'd while idle so it never keeps Node alive (stdin closes when Node
 * exits, and git exits on EOF).
 */
export class GitBatchProcess<T> {
  #child: ChildProcessWithoutNullStreams | undefined;
  #queue: Pending<T>[] = [];
  #buf: Buffer = Buffer.alloc(0);
  #stderr = "";

  constructor(
    private readonly dir: string,
    private readonly args: string[],
    private readonly env: () => Record<string, string>,
    private readonly parse: ResponseParser<T>,
  ) {}

  /** Sends `line` (without its newline) and resolves with the parsed response. */
  request(line: string): Promise<T> {
    return this.#send([line], 1).then((values) => values[0]!);
  }

  /** Sends several lines in one write, one request each; responses come back in the same order. */
  requestMany(lines: string[]): Promise<T[]> {
    return this.#send(lines, lines.length);
  }

  /** Sends several lines that make up ONE request (a tree for `mktree --batch`) and resolves with its response. */
  requestBlock(lines: string[]): Promise<T> {
    return this.#send(lines, 1).then((values) => values[0]!);
  }

  #send(lines: string[], responses: number): Promise<T[]> {
    if (lines.some((line) => line.includes("\n"))) return Promise.reject(new Error(`git ${this.args[0]}: a request cannot contain a newline`));
    if (responses === 0) return Promise.resolve([]);
    const child = this.#start();
    const promises = Array.from({ length: responses }, () => new Promise<T>((resolve, reject) => this.#queue.push({ resolve, reject })));
    this.#setRef(true);
    child.stdin.write(lines.map((line) => `${line}\n`).join(""));
    return Promise.all(promises);
  }

  /** Ends the process (the next request starts a new one). */
  close(): void {
    const child = this.#child;
    this.#child = undefined;
    if (child) child.stdin.end();
  }

  #start(): ChildProcessWithoutNullStreams {
    if (this.#child) return this.#child;
    const child = spawn("git", this.args, { cwd: this.dir, env: this.env() });
    this.#child = child;
    this.#buf = Buffer.alloc(0);
    this.#stderr = "";
    child.stdin.on("error", () => undefined); // EPIPE when git died: reported by "close"
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      this.#stderr = (this.#stderr + text).slice(-2000);
    });
    child.stdout.on("data", (chunk: Buffer) => this.#onData(chunk));
    const fail = (reason: string) => {
      if (this.#child === child) this.#child = undefined;
      const queue = this.#queue;
      this.#queue = [];
      for (const pending of queue) pending.reject(new Error(`git ${this.args.join(" ")} ${reason}: ${this.#stderr.trim()}`));
    };
    child.on("error", (error) => fail(`could not run (${error.message})`));
    child.on("close", (code) => fail(`exited (exit code ${code})`));
    return child;
  }

  #onData(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    while (this.#queue.length > 0) {
      const parsed = this.parse(this.#buf);
      if (!parsed) break;
      this.#buf = this.#buf.subarray(parsed.consumed);
      this.#queue.shift()!.resolve(parsed.value);
    }
    if (this.#queue.length === 0) this.#setRef(false);
  }

  /** Keeps Node alive only while a response is awaited. */
  #setRef(ref: boolean): void {
    const child = this.#child;
    if (!child) return;
    for (const handle of [child, child.stdin, child.stdout, child.stderr] as { ref?: () => void; unref?: () => void }[]) {
      if (ref) handle.ref?.();
      else handle.unref?.();
    }
  }
}

/** One line of output per request (`mktree --batch`, `hash-object --stdin-paths`). */
export const parseLine: ResponseParser<string> = (buf) => {
  const eol = buf.indexOf(10);
  if (eol < 0) return undefined;
  return { value: buf.toString("utf8", 0, eol), consumed: eol + 1 };
};

/** What `cat-file --batch` says about one object: undefined when it is missing or ambiguous. */
export type CatFileObject = { oid: string; type: string; content: Buffer } | undefined;

/** `<oid> <type> <size>\n<content>\n`, or `<spec> missing\n` / `<spec> ambiguous\n`. Sizes are bytes. */
export const parseCatFile: ResponseParser<CatFileObject> = (buf) => {
  const eol = buf.indexOf(10);
  if (eol < 0) return undefined;
  const header = buf.toString("utf8", 0, eol);
  const match = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(header);
  if (!match) return { value: undefined, consumed: eol + 1 };
  const end = eol + 1 + Number(match[3]);
  if (buf.length < end + 1) return undefined;
  return { value: { oid: match[1]!, type: match[2]!, content: Buffer.from(buf.subarray(eol + 1, end)) }, consumed: end + 1 };
};
