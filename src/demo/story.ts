import type { Narrator } from "./narrator.js";

/** Runs narrated steps in order; the first step whose outcome differs from the narration stops the story. */
export class Story {
  constructor(private readonly narrator: Narrator) {}

  /** Runs `action`; prints ✔ with `title` and the returned details, or ✖ with why, then rethrows. */
  async step(title: string, action: () => Promise<string | string[] | void>): Promise<void> {
    try {
      const detail = await action();
      this.narrator.ok(title);
      const lines = Array.isArray(detail) ? detail : detail ? [detail] : [];
      for (const line of lines) this.narrator.detail(line);
    } catch (error) {
      this.narrator.fail(title);
      this.narrator.detail(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      throw error;
    }
  }
}
