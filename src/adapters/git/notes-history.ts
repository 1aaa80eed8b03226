/**
 * The history of `refs/notes/stagegate` itself, for `stagegate audit --notes-history`: Stagegate only
 * ever appends to a note (`git notes append`: the old text, a blank line, the new part), so a note
 * whose text changed otherwise, or that was removed, was edited by someone after the fact. Each notes
 * commit of the ref's first-parent history is read with its raw diff, paths grouped by the commit they
 * annotate (a note may sit flat or in fanout directories, and move between them); the blobs of changed
 * notes are compared old against new.
 */
import type { NoteEdit } from "../../core/audit/types.js";
import { appendNoteText, isNoteAppend } from "../../core/evidence/note-append.js";
import { GitCli } from "./git-cli.js";
import { ObjectStream } from "./git-stream.js";
import { fetchMissing, fetchTrees, isPartialClone, promisorRemote } from "./partial-clone.js";
import { NOTES_REF } from "../../core/ports/notes.js";

/** Splits a notes-tree path (`ab/cdef…`, fanout or not) into the annotated commit id, when it is one. */
function annotatedCommit(path: string): string | undefined {
  const id = path.replaceAll("/", "");
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(id) ? id : undefined;
}

interface RawChange {
  notesCommit: string;
  time: string;
  by: string;
  status: string;
  oldBlob: string;
  newBlob: string;
  annotated: string;
}

/**
 * Reads `git log -z --first-parent --raw` of the notes ref: NUL-terminated tokens read in sequence
 * (four header fields, then meta/path pairs), so no name or path can shift them.
 */
function parseNotesLog(out: string): RawChange[] {
  const tokens = out.split("\0");
  const changes: RawChange[] = [];
  let i = 0;
  while (i < tokens.length) {
    const start = tokens[i] ?? "";
    if (!start.startsWith("\x1e")) {
      i++;
      continue;
    }
    const notesCommit = start.slice(1);
    const time = tokens[i + 1] ?? "";
    const by = tokens[i + 2] ?? "";
    i += 4; // the header's \x1d token closes it
    for (;;) {
      const meta = (tokens[i] ?? "").replace(/^\n/, "");
      if (!meta.startsWith(":")) break;
      const path = tokens[i + 1] ?? "";
      i += 2;
      // `:oldmode newmode oldblob newblob status`
      const [, , oldBlob = "", newBlob = "", status = ""] = meta.slice(1).split(" ");
      const annotated = annotatedCommit(path);
      if (annotated) changes.push({ notesCommit, time, by, status, oldBlob, newBlob, annotated });
    }
  }
  return changes;
}

/**
 * What one notes commit did to the note of one annotated commit: the blobs it held before (removed or
 * modified paths) and after (added or modified paths). A path can change without the note changing:
 * `git notes` moves every note to a fanout directory (`ab/cdef…`) as the tree grows, a removal and an
 * addition of the same text in one commit.
 */
interface NoteChange {
  notesCommit: string;
  time: string;
  by: string;
  annotated: string;
  before: string[];
  after: string[];
}

/** Groups the raw changes by notes commit and annotated commit, in the order they came (newest notes commit first). */
function groupChanges(changes: RawChange[]): NoteChange[] {
  const groups = new Map<string, NoteChange>();
  for (const change of changes) {
    const key = `${change.notesCommit} ${change.annotated}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { notesCommit: change.notesCommit, time: change.time, by: change.by, annotated: change.annotated, before: [], after: [] }));
    if (change.status !== "A") group.before.push(change.oldBlob);
    if (change.status !== "D") group.after.push(change.newBlob);
  }
  return [...groups.values()];
}

/** The text of a note held at one path, or at several joined as git reads them (a blank line between parts). */
function joined(blobs: readonly string[], texts: ReadonlyMap<string, string>): string {
  const [first = "", ...rest] = blobs.map((blob) => texts.get(blob) ?? "");
  return rest.reduce((text, part) => appendNoteText(text, part), first);
}

/**
 * Notes at the root of the notes tree beyond which git would have fanned them out (`ab/cdef…`): `git
 * notes` gives a level 256 entries before it splits it. Kept flat, every notes commit's diff compares
 * the whole root tree, and reading the history grows with notes × notes commits.
 */
const FLAT_NOTES_LIMIT = 256;

/** The one-time re-layout of a flat notes ref (docs/audit.md, "Notes layout"): an empty append to any note makes git write the tree in its own layout. */
function relayoutCommand(annotated: string, ref = NOTES_REF): string {
  return `git fetch origin ${ref}:${ref} && git notes --ref=${ref} append -m '' ${annotated} && git push origin ${ref}`;
}

/**
 * Notes changed other than by appending, or removed, in the first-parent history of the notes ref
 * (none when it is absent). `warn` hears of a notes tree kept flat (more than {@link FLAT_NOTES_LIMIT}
 * notes at its root, as Stagegate wrote them before 2026-12-02), which makes this read slow.
 */
export async function readNoteEdits(dir: string, ref = NOTES_REF, warn: (line: string) => void = () => undefined): Promise<NoteEdit[]> {
  const git = new GitCli(dir);
  const [refs, gitDir] = await Promise.all([git.run(["for-each-ref", "--format=%(refname)", ref]), git.run(["rev-parse", "--path-format=absolute", "--git-common-dir"])]);
  if (refs.trim() === "") return [];
  const promisor = isPartialClone(gitDir.trim()) ? await promisorRemote(git) : undefined;
  // A clone without trees (--filter=tree:0) would fetch each notes commit's trees as the log reads them.
  const treeFailure = promisor ? await fetchTrees(git, dir, { histories: [ref] }, promisor) : undefined;
  if (treeFailure) throw new Error(`--notes-history: ${treeFailure}`);
  // Additions are read too, to tell a note moved to another fanout level from one removed. The tip's
  // root listing (its names only, beside the log) tells a flat layout.
  const [out, root] = await Promise.all([
    git.run(["log", "-z", "--first-parent", "--no-renames", "--raw", "--no-abbrev", "--diff-filter=AMD", "--format=%x1e%H%x00%aI%x00%an <%ae>%x00%x1d", ref]),
    git.run(["ls-tree", "-z", "--name-only", ref]),
  ]);
  const flat = root.split("\0").filter((name) => annotatedCommit(name) !== undefined);
  if (flat.length > FLAT_NOTES_LIMIT) warn(`${ref} keeps ${flat.length} notes at the root of its tree (the layout Stagegate wrote before 2026-12-02), so --notes-history reads slowly; re-lay it out once (no note changes): ${relayoutCommand(flat[0]!, ref)}`);
  // A note only added (the common case: thousands in a long-lived notes ref) needs no blob.
  const changes = groupChanges(parseNotesLog(out)).filter((change) => change.before.length > 0);
  const moved = (change: NoteChange) => change.before.length === change.after.length && change.before.every((blob) => change.after.includes(blob));
  // One bulk cat-file for the blobs of every note whose text may have changed (a partial clone lacks
  // the notes' old versions: fetched first in one request, not by cat-file one at a time).
  const wanted = changes.filter((change) => change.after.length > 0 && !moved(change)).flatMap((change) => [...change.before, ...change.after]);
  if (wanted.length > 0 && promisor) {
    const failure = await fetchMissing(git, dir, wanted, { remote: promisor.name });
    if (failure) throw new Error(failure);
  }
  const blobs = new Map<string, string>();
  const objects = new ObjectStream(dir, (name, object) => {
    if (object?.type === "blob") blobs.set(name, object.data.toString("utf8"));
  });
  for (const blob of wanted) objects.want(blob);
  await objects.close();
  // A version that cannot be read would compare as empty text, which any edit "appends" to: fail instead.
  const unread = wanted.filter((blob) => !blobs.has(blob));
  if (unread.length > 0) throw new Error(`--notes-history: ${unread.length} note versions could not be read (first: ${unread[0]}); the notes history cannot be checked`);
  const edits: NoteEdit[] = [];
  for (const change of changes) {
    const edit = { notesCommit: change.notesCommit, time: change.time, by: change.by, commit: change.annotated };
    if (change.after.length === 0) edits.push({ ...edit, kind: "removed" });
    else if (!moved(change) && !isNoteAppend(joined(change.before, blobs), joined(change.after, blobs))) edits.push({ ...edit, kind: "changed" });
  }
  // Oldest first, as the audit's rows.
  return edits.reverse();
}
