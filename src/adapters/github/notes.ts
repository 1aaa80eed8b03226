/**
 * NotesPort on GitHub: git notes under `refs/notes/stagegate`, written through the Git Data API so a
 * clone (`git fetch origin refs/notes/stagegate:refs/notes/stagegate`) reads them with plain git.
 * One GraphQL query reads the notes ref, its tree and the commit's current note; an append is then a
 * tree (the existing tree plus the note, by content), a commit whose parent is the current notes
 * commit, and a non-forced ref update. A concurrent append makes the update fail; it is retried from
 * the new notes head, so notes only ever grow.
 */
import { ConflictError, RetryableError } from "../../core/errors.js";
import { NOTES_REF, type NotesPort } from "../../core/ports/notes.js";
import { appendNoteText } from "../../core/evidence/note-append.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { formatRepoRef } from "./client.js";
import { callGitHub } from "./errors.js";

/** Attempts of an append racing other writers before giving up (the next event or tick appends again). */
const MAX_ATTEMPTS = 4;

const NOTE_QUERY = `query StagegateNote($owner: String!, $name: String!, $ref: String!, $path: String!) {
  repository(owner: $owner, name: $name) { ref(qualifiedName: $ref) { target { oid ... on Commit { tree { oid } file(path: $path) { object { ... on Blob { text } } } } } } }
}`;

interface NoteState {
  commit: string | undefined;
  tree: string | undefined;
  text: string | undefined;
}


/** Git notes of the environments repository. */
export class GitHubNotes implements NotesPort {
  #client: GitHubClient;
  #repo: RepoRef;

  constructor(client: GitHubClient, repo: RepoRef) {
    this.#client = client;
    this.#repo = repo;
  }

  async readNote(commitSha: string): Promise<string | undefined> {
    return (await this.#read(commitSha)).text;
  }

  async appendNote(commitSha: string, text: string, options: { ifAbsent?: boolean } = {}): Promise<boolean> {
    const { owner, repo } = this.#repo;
    const context = { operation: "appendNote", repo: formatRepoRef(this.#repo), commit: commitSha };
    for (let attempt = 1; ; attempt++) {
      const state = await this.#read(commitSha);
      // Re-checked on every attempt: a concurrent writer of the same note wins the race, not a duplicate.
      if (options.ifAbsent && state.text !== undefined) return false;
      const tree = await callGitHub(context, () =>
        this.#client.request("POST /repos/{owner}/{repo}/git/trees", {
          owner,
          repo,
          ...(state.tree ? { base_tree: state.tree } : {}),
          tree: [{ path: commitSha, mode: "100644", type: "blob", content: appendNoteText(state.text, text) }],
        }),
      );
      const commit = await callGitHub(context, () =>
        this.#client.request("POST /repos/{owner}/{repo}/git/commits", {
          owner,
          repo,
          message: `Notes added by Stagegate for ${commitSha}`,
          tree: tree.data.sha,
          parents: state.commit ? [state.commit] : [],
        }),
      );
      try {
        if (state.commit) {
          await callGitHub(context, () => this.#client.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: NOTES_REF.slice("refs/".length), sha: commit.data.sha, force: false }));
        } else {
          await callGitHub(context, () => this.#client.request("POST /repos/{owner}/{repo}/git/refs", { owner, repo, ref: NOTES_REF, sha: commit.data.sha }));
        }
        return true;
      } catch (error) {
        // Another writer moved (or created) the notes ref first: read it again and re-apply on top.
        if (!(error instanceof ConflictError) && !(error instanceof RetryableError && /fast forward|already exists/i.test(error.message))) throw error;
        if (attempt >= MAX_ATTEMPTS) throw new ConflictError(`the notes ref kept moving while appending the note of ${commitSha}`, context, { cause: error });
      }
    }
  }

  async #read(commitSha: string): Promise<NoteState> {
    const raw = await callGitHub({ operation: "readNote", repo: formatRepoRef(this.#repo), commit: commitSha }, () =>
      this.#client.graphql<{ repository: { ref: { target: { oid: string; tree?: { oid: string }; file?: { object: { text?: string | null } | null } | null } } | null } | null }>(NOTE_QUERY, {
        owner: this.#repo.owner,
        name: this.#repo.repo,
        ref: NOTES_REF,
        path: commitSha,
      }),
    );
    const target = raw.repository?.ref?.target;
    return { commit: target?.oid, tree: target?.tree?.oid, text: target?.file?.object?.text ?? undefined };
  }
}
