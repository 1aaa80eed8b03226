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

/**
 * Where git may keep a commit's note in the notes tree: flat (`<sha>`), or fanned out in two-hex-digit
 * directories (`ab/cdef…`, `ab/cd/ef…`, …). `git notes` fans the tree out as notes accumulate (a few
 * hundred notes already give `ab/cdef…`) and reads every layout, mixed in one tree. Depth 0 to 3:
 * git's own writers reach depth 3 only past 16 million notes.
 */
export function notePaths(commitSha: string): string[] {
  return [0, 1, 2, 3].map((depth) => {
    const dirs = Array.from({ length: depth }, (_, i) => commitSha.slice(2 * i, 2 * i + 2));
    return [...dirs, commitSha.slice(2 * depth)].join("/");
  });
}

const NOTE_QUERY = `query StagegateNote($owner: String!, $name: String!, $ref: String!, $p0: String!, $p1: String!, $p2: String!, $p3: String!, $d1: String!, $d2: String!, $d3: String!) {
  repository(owner: $owner, name: $name) { ref(qualifiedName: $ref) { target { oid ... on Commit { tree { oid }
    p0: file(path: $p0) { ...note } p1: file(path: $p1) { ...note } p2: file(path: $p2) { ...note } p3: file(path: $p3) { ...note }
    d1: file(path: $d1) { type } d2: file(path: $d2) { type } d3: file(path: $d3) { type }
  } } } }
}
fragment note on TreeEntry { type object { ... on Blob { text isTruncated } } }`;

type NoteEntry = { type: string; object?: { text?: string | null; isTruncated?: boolean } | null } | null;

interface NoteState {
  commit: string | undefined;
  tree: string | undefined;
  text: string | undefined;
  /** Where the note is (or, when there is none, where a new one goes). */
  path: string;
  /** Why the note cannot be appended to (GitHub returned it cut short, or not as text). */
  unreadable?: string;
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
      // Appending to a cut or undecodable text would drop the evidence it holds: refuse instead.
      if (state.unreadable) throw new Error(`the note of ${commitSha} (${NOTES_REF}:${state.path}) is ${state.unreadable}; not appending to it`);
      const tree = await callGitHub(context, () =>
        this.#client.request("POST /repos/{owner}/{repo}/git/trees", {
          owner,
          repo,
          ...(state.tree ? { base_tree: state.tree } : {}),
          tree: [{ path: state.path, mode: "100644", type: "blob", content: appendNoteText(state.text, text) }],
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

  /**
   * The notes commit, its tree and the commit's note, wherever git's layout put it (see {@link notePaths}).
   * A new note goes where `git notes` would look first: into the deepest fanout directory that exists
   * for its prefix, else one level down (`ab/cdef…`), which keeps each notes tree small enough for
   * `stagegate audit --notes-history` to diff (a flat tree of 10,000 notes costs git ~5× more per commit).
   */
  async #read(commitSha: string): Promise<NoteState> {
    const paths = notePaths(commitSha);
    const raw = await callGitHub({ operation: "readNote", repo: formatRepoRef(this.#repo), commit: commitSha }, () =>
      this.#client.graphql<{ repository: { ref: { target: { oid: string; tree?: { oid: string } } & Record<string, NoteEntry | undefined> } | null } | null }>(NOTE_QUERY, {
        owner: this.#repo.owner,
        name: this.#repo.repo,
        ref: NOTES_REF,
        ...Object.fromEntries(paths.map((path, i) => [`p${i}`, path])),
        ...Object.fromEntries(paths.slice(1).map((path, i) => [`d${i + 1}`, path.slice(0, path.lastIndexOf("/"))])),
      }),
    );
    const target = raw.repository?.ref?.target;
    const state = { commit: target?.oid, tree: target?.tree?.oid };
    for (const [i, path] of paths.entries()) {
      const entry = target?.[`p${i}`];
      if (entry?.type !== "blob") continue;
      const text = entry.object?.text;
      const unreadable = entry.object?.isTruncated ? "too large for GitHub to return whole" : typeof text !== "string" ? "not text" : undefined;
      return { ...state, text: text ?? "", path, ...(unreadable ? { unreadable } : {}) };
    }
    const deepest = [3, 2, 1].find((depth) => target?.[`d${depth}`]?.type === "tree");
    return { ...state, text: undefined, path: paths[deepest ?? 1]! };
  }
}
