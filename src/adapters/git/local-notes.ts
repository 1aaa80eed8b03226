import { NOTES_REF, type NotesPort } from "../../core/ports/notes.js";
import type { GitCli } from "./git-cli.js";
import { LOCAL_BOT } from "./local-pulls.js";
import type { MetaStore } from "./meta-store.js";

/** Evidence notes under refs/notes/stagegate, appended with `git notes append` (never rewritten). */
export class LocalNotes implements NotesPort {
  constructor(
    private readonly git: GitCli,
    private readonly meta: MetaStore,
  ) {}

  async appendNote(commitSha: string, text: string, options: { ifAbsent?: boolean } = {}): Promise<boolean> {
    if (options.ifAbsent && (await this.readNote(commitSha)) !== undefined) return false;
    await this.git.run(["notes", `--ref=${NOTES_REF}`, "append", "-F", "-", commitSha], { input: text, identity: this.meta.identity(LOCAL_BOT) });
    return true;
  }

  async readNote(commitSha: string): Promise<string | undefined> {
    const out = await this.git.run(["notes", `--ref=${NOTES_REF}`, "show", commitSha], { allowExitCodes: [1] });
    return out === "" ? undefined : out;
  }
}
