/**
 * Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: commands
 * on fd 3, replies and events on fd 4, each message JSON ended by a NUL). No port is opened and no
 * browser-automation package is needed: the tests use a handful of commands (open a page, evaluate,
 * a full-page screenshot, print to PDF) and the network events that show whether a page fetched
 * anything. (puppeteer-core, the package made for this, needs Node 22.12 or later since version 25;
 * the suite runs on Node 20 too.)
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";

/** The Chromium binary on PATH (Debian's `chromium`, or `chromium-browser`), or "" when there is none. */
export function findChromium(): string {
  return spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"]).stdout.toString().trim();
}

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** One Chromium process and one page in it. */
export class HeadlessPage {
  readonly #child: ChildProcess;
  readonly #input: Writable;
  readonly #pending = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  readonly #listeners: ((message: Message) => void)[] = [];
  #nextId = 1;
  #session = "";
  /** URLs the page asked the network stack for (Network.requestWillBeSent), in order. */
  readonly requests: string[] = [];

  private constructor(binary: string, profileDir: string) {
    const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars", `--user-data-dir=${profileDir}`];
    this.#child = spawn(binary, [...flags, "--remote-debugging-pipe", "about:blank"], { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] });
    this.#input = this.#child.stdio[3] as Writable;
    // A write to a browser that is gone (EPIPE) is reported by the exit handler below, not thrown.
    this.#input.on("error", () => {});
    const output = this.#child.stdio[4] as Readable;
    let rest = Buffer.alloc(0);
    output.on("data", (chunk: Buffer) => {
      rest = Buffer.concat([rest, chunk]);
      for (let end = rest.indexOf(0); end >= 0; end = rest.indexOf(0)) {
        this.#dispatch(JSON.parse(rest.toString("utf8", 0, end)) as Message);
        rest = rest.subarray(end + 1);
      }
    });
    // A browser that exits (or never starts) fails whatever waits on it, rather than leaving it hanging.
    const fail = (why: string) => {
      for (const { reject } of this.#pending.values()) reject(new Error(why));
      this.#pending.clear();
    };
    this.#child.on("exit", (code, signal) => fail(`chromium exited (${signal ?? code})`));
    this.#child.on("error", (error) => fail(`chromium could not run: ${error.message}`));
  }

  /** Starts Chromium and attaches to a fresh page with the given viewport. */
  static async open(binary: string, profileDir: string, viewport: { width: number; height: number }): Promise<HeadlessPage> {
    const page = new HeadlessPage(binary, profileDir);
    try {
      const { targetId } = await page.#send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await page.#send("Target.attachToTarget", { targetId, flatten: true });
      page.#session = String(sessionId);
      page.#listeners.push((m) => {
        if (m.method === "Network.requestWillBeSent" && m.sessionId === page.#session) page.requests.push(String((m.params?.request as { url?: string } | undefined)?.url));
      });
      await page.send("Page.enable");
      await page.send("Network.enable");
      await page.send("Emulation.setDeviceMetricsOverride", { ...viewport, deviceScaleFactor: 1, mobile: false });
      return page;
    } catch (error) {
      await page.close();
      throw error;
    }
  }

  /** Sends a command to the page's session. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.#send(method, params, this.#session);
  }

  /** Navigates and waits for the load event. */
  async goto(url: string): Promise<void> {
    const loaded = new Promise<void>((resolve) => this.#listeners.push((m) => m.method === "Page.loadEventFired" && m.sessionId === this.#session && resolve()));
    const { errorText } = await this.send("Page.navigate", { url });
    if (errorText) throw new Error(`could not open ${url}: ${String(errorText)}`);
    await loaded;
  }

  /** Evaluates an expression in the page and returns its value (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const { result, exceptionDetails } = await this.send("Runtime.evaluate", { expression, returnByValue: true });
    if (exceptionDetails) throw new Error(`evaluation failed: ${JSON.stringify(exceptionDetails)}`);
    return (result as { value: T }).value;
  }

  /** A PNG of the whole document (beyond the viewport, both directions) at one device pixel per CSS pixel. */
  async screenshot(): Promise<Buffer> {
    const size = await this.evaluate<{ width: number; height: number }>("({ width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })");
    const { data } = await this.send("Page.captureScreenshot", { format: "png", captureBeyondViewport: true, clip: { x: 0, y: 0, ...size, scale: 1 } });
    return Buffer.from(String(data), "base64");
  }

  /** Closes the browser (Browser.close, which ends its helper processes too), killing it after 5 s; resolves once it has exited. */
  async close(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    this.#send("Browser.close").catch(() => child.kill("SIGKILL"));
    await exited;
    clearTimeout(timer);
  }

  #send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.#input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return reply;
  }

  #dispatch(message: Message): void {
    if (message.id !== undefined) {
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`${message.error.message}`));
      else waiter?.resolve(message.result ?? {});
      return;
    }
    for (const listener of this.#listeners) listener(message);
  }
}
