/**
 * Streaming git processes for the audit reader (history.ts): a command whose stdout is handed over
 * as it arrives, and a `git cat-file --batch` that can be fed object ids while other work runs.
 * Same environment rules as GitCli.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

/**
 * The environment git runs with here: as GitCli's (no inherited GIT_* redirection, C locale, never
 * prompt), plus GIT_FLUSH=0: on a pipe git otherwise flushes after every commit, one write(2) and one
 * 'data' event per record (15,000 for a 10,000-promotion log); fully buffered output cuts that by 3-4x
 * and the log's wall time by about a third.
 */
function gitEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.toUpperCase().startsWith("GIT_")) env[key] = value;
  return { ...env, LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_FLUSH: "0" };
}

/**
 * Runs git and hands its stdout to `onChunk` as it arrives, as bytes (each chunk is its own buffer:
 * a view of it stays valid, and keeps the whole chunk alive); rejects on a non-zero exit. `input` is written to its
 * stdin (e.g. object ids for `--stdin`). Readers decode only the fields they keep: the audit's log is
 * ~15 MB, and decoding it whole cost more than parsing it.
 */
export function streamGit(dir: string, args: string[], onChunk: (chunk: Buffer) => void, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd: dir, env: gitEnv() });
    child.stdin.on("error", () => undefined); // EPIPE when git exits early: the close handler reports
    child.stdin.end(input);
    const stderr: Buffer[] = [];
    let failed: unknown;
    child.stdout.on("data", (chunk: Buffer) => {
      if (failed !== undefined) return;
      try {
        onChunk(chunk);
      } catch (error) {
        failed = error;
        child.kill();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (failed !== undefined) reject(failed);
      else if (code === 0) resolve();
      else reject(new Error(`git ${args.slice(0, 4).join(" ")} failed (exit code ${code}): ${Buffer.concat(stderr).toString("utf8").trim()}`));
    });
  });
}

/**
 * Object ids per write to `git cat-file --batch` (each write wakes git: not one per id). Small enough
 * that the answers keep pace with the log: with 1,000, up to 1,000 merged heads were asked for when the
 * log ended, and the audit waited 8–13 ms for them; with 250, 1–2 ms.
 */
const BATCH = 250;

/**
 * What `git cat-file --batch` answered for one request: the object's type and bytes, or undefined
 * when it is missing (or the name is ambiguous).
 */
export type ObjectHandler = (request: string, object: { oid: string; type: string; data: Buffer } | undefined) => void;

/**
 * One `git cat-file --batch --buffer` fed while other work runs (the audit's log): `want` queues an
 * object name (an id, or `rev:path`), answers reach `onObject` in request order as git's output buffer
 * fills (not one by one: this is for bulk reads), `close` ends the input and resolves once every
 * answer has been handed over. `data` is a view of the bytes read (not a copy): each read is its own
 * buffer, so the view stays valid, and keeping it keeps that read's block (up to 64 KiB) alive.
 */
export class ObjectStream {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #asked = new Set<string>();
  /** Requests written and not answered yet, oldest first (answers come in request order). */
  readonly #pending: string[] = [];
  #pendingHead = 0;
  readonly #done: Promise<void>;
  #queued: string[] = [];
  readonly #output = new BatchOutputParser((object) => this.onObject(this.#nextRequest(), object));

  constructor(
    dir: string,
    private readonly onObject: ObjectHandler,
  ) {
    // --buffer: stdio buffering instead of three write(2)s per object (header, bytes, newline), which
    // arrive here as tens of thousands of tiny reads. Answers then come in 4 KiB blocks, and the last
    // ones only when the input ends: nothing here needs an answer before close().
    this.#child = spawn("git", ["cat-file", "--batch", "--buffer"], { cwd: dir, env: gitEnv() });
    this.#child.stdin.on("error", () => undefined); // EPIPE after abort: the close handler reports
    this.#done = new Promise((resolve, reject) => {
      this.#child.stdout.on("data", (chunk: Buffer) => this.#output.push(chunk));
      this.#child.on("error", reject);
      this.#child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`git cat-file --batch failed (exit code ${code})`))));
    });
    this.#done.catch(() => undefined); // awaited in close(); an aborted stream is not an unhandled rejection
  }

  /** Queues an object name once (later calls with the same name are ignored); written in batches. */
  want(name: string): void {
    if (this.#asked.has(name)) return;
    this.#asked.add(name);
    this.#queued.push(name);
    if (this.#queued.length >= BATCH) this.flush();
  }

  /** Writes what is queued now. */
  flush(): void {
    if (this.#queued.length === 0 || this.#child.stdin.writableEnded) return;
    this.#pending.push(...this.#queued);
    this.#child.stdin.write(`${this.#queued.join("\n")}\n`);
    this.#queued = [];
  }

  /** Ends the input; resolves when every answer has been handed to `onObject`. */
  close(): Promise<void> {
    this.flush();
    this.#child.stdin.end();
    return this.#done;
  }

  abort(): void {
    this.#child.kill();
  }

  #nextRequest(): string {
    const request = this.#pending[this.#pendingHead++] ?? "";
    if (this.#pendingHead > 4096) {
      this.#pending.splice(0, this.#pendingHead);
      this.#pendingHead = 0;
    }
    return request;
  }
}

/** The bytes of blobs by id, through one `git cat-file --batch` of their own; ids git cannot give are left out. */
export async function readBlobBytes(dir: string, oids: readonly string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (oids.length === 0) return out;
  const stream = new ObjectStream(dir, (name, object) => {
    if (object?.type === "blob") out.set(name, object.data);
  });
  for (const oid of oids) stream.want(oid);
  await stream.close();
  return out;
}

/**
 * The output of `git cat-file --batch`, parsed as it arrives in chunks of any size: each entry (an
 * object, or a missing one) reaches `onEntry` in order. `data` is a view of the bytes read (not a
 * copy): of the chunk it came in, or of a buffer joining just that entry when it spanned chunks.
 */
export class BatchOutputParser {
  #chunks: Buffer[] = [];
  #length = 0;
  /** Bytes needed before the next object is complete (0: unknown). */
  #need = 0;

  constructor(private readonly onEntry: (object: { oid: string; type: string; data: Buffer } | undefined) => void) {}

  /** `<oid> <type> <size>\n<bytes>\n`, or `<name> missing\n` / `<name> ambiguous\n`; sizes are bytes, so parse Buffers. */
  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    // A large object arrives in many chunks: join them once it is complete, not on every chunk.
    if (this.#length < this.#need) return;
    let buf = chunk;
    if (this.#chunks.length > 1) {
      // The first entry began in earlier chunks: join its bytes only (its header, then the whole entry
      // once its size is known), and read the rest of this chunk in place rather than copying it.
      const before = this.#length - chunk.length;
      for (;;) {
        let upTo = this.#need;
        if (upTo === 0) {
          const eol = chunk.indexOf(10);
          if (eol < 0) return; // the header goes on into the next chunk
          upTo = before + eol + 1;
        } else if (this.#length < upTo) return;
        const head = Buffer.concat(this.#chunks, upTo);
        if (this.#parse(head) === head.length) {
          buf = chunk.subarray(upTo - before);
          break;
        }
        // Only the header was there: #parse set the entry's full length in #need.
      }
    }
    const pos = this.#parse(buf);
    buf = buf.subarray(pos);
    this.#chunks = buf.length > 0 ? [buf] : [];
    this.#length = buf.length;
  }

  /** Hands over every complete entry of `buf`; returns where the first incomplete one starts (its full length in #need when known). */
  #parse(buf: Buffer): number {
    let pos = 0;
    this.#need = 0;
    for (;;) {
      const eol = buf.indexOf(10, pos);
      if (eol < 0) break;
      const header = buf.toString("latin1", pos, eol);
      const [oid = "", type = "", sizeText] = header.split(" ");
      if (sizeText === undefined) {
        pos = eol + 1;
        this.onEntry(undefined);
        continue;
      }
      const end = eol + 1 + Number(sizeText);
      if (buf.length < end + 1) {
        this.#need = end + 1 - pos;
        break;
      }
      this.onEntry({ oid, type, data: buf.subarray(eol + 1, end) });
      pos = end + 1;
    }
    return pos;
  }

  /** True when bytes of an entry not complete yet are held (output that ends here was cut). */
  get pending(): boolean {
    return this.#length > 0;
  }
}
