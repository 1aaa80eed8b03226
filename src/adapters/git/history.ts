/**
 * Reads what `stagegate audit` needs from a local clone of the environments repository, in few
 * processes: ONE `git log` over the default branch (metadata, trailers, notes of refs/notes/stagegate,
 * optional signature status, and raw diffs against the first parent), ONE `git cat-file --batch` for
 * the blobs of environment files that changed, the config at the tip, and the branch reflogs.
 * The digest bookkeeping and every decision are pure (src/core/audit).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { AuditAccumulator } from "../../core/audit/build-audit.js";
import { DigestTracker, type ReferenceExtractor } from "../../core/audit/digest-tracker.js";
import { isBaseUpdate, MAX_BASE_UPDATES } from "../../core/audit/evidence.js";
import { parseMessageTrailers } from "../../core/audit/trailers.js";
import type { HistoryInput, HistoryRecord } from "../../core/audit/types.js";
import { configSchema } from "../../core/config/config-schema.js";
import { NOTES_REF } from "../../core/ports/notes.js";
import { GitCli } from "./git-cli.js";
import { parseCommitObject } from "./commit-object.js";
import { ObjectStream, readBlobBytes, streamGit } from "./git-stream.js";
import { isSignatureStatus, LogParser, logFormat, splitMessage, type RawEntry } from "./log-parser.js";
import { fetchMissing, fetchTrees, isPartialClone, missingBlobsOf, promisorRemote } from "./partial-clone.js";
import { historyLayout, layoutOf, type Layout } from "./config-history.js";
import { readReflogs } from "./reflog.js";
import { computeChanges, isFileVersion, mayDeclare } from "./replay.js";


export interface ReadHistoryOptions {
  /** Branch to audit; defaults to origin/HEAD's branch, else the checked-out branch. */
  branch?: string;
  /** Read `%G?` (runs gpg/ssh verification per commit: slower). */
  verify?: boolean;
  /** Finds image references in a file (the editors' findImageReferences); without it, digests come from trailers only. */
  extract?: ReferenceExtractor;
  /** Most reflog entries read per ref (an entry the history read cannot settle costs a `git rev-list`). */
  reflogLimit?: number;
  /** Called as each phase ends (the audit benchmark's breakdown): the log read, the digest replay. */
  mark?: (phase: "log" | "replay") => void;
}

/** Reads of up to this many versions go through GitCli's running cat-file (a round trip); more, through a stream of their own. */
const SMALL_READ = 256;

/** The configuration's path in the environments repository. */
const CONFIG_PATH = "stagegate.yaml";

/** Reads history, notes, digest changes and reflogs of the audited branch. */
export async function readHistory(dir: string, options: ReadHistoryOptions = {}): Promise<HistoryInput> {
  const git = new GitCli(dir);
  const warnings: string[] = [];
  const { branch, ref, tip, notes, gitDir, shallow, hasNotes } = await resolveBranch(git, options.branch);
  // An audit of part of the history, or without the evidence, must say so before any row is read.
  if (!hasNotes) warnings.push(`this clone has no ${NOTES_REF} (git clone does not fetch notes): every promotion shows as missing-note; run with --fetch, or git fetch origin ${NOTES_REF}:${NOTES_REF}`);

  // A partial clone fetched the notes ref without its blobs: `git log --notes` would fetch each note
  // on its own. The ones missing (listed without fetching: --missing=print) are fetched in one request.
  // A clone without trees (--filter=tree:0) first gets the trees the log and the note lookups read.
  const partial = isPartialClone(gitDir);
  const promisor = partial ? await promisorRemote(git) : undefined;
  if (promisor) {
    const failure = await fetchTrees(git, dir, { histories: [ref], tips: hasNotes ? [NOTES_REF] : [] }, promisor);
    if (failure) warnings.push(failure);
  }
  if (promisor && hasNotes) {
    const failure = await fetchMissing(git, dir, await missingBlobsOf(git, NOTES_REF), { known: true, remote: promisor.name });
    if (failure) warnings.push(failure);
  }

  const args = historyLogArgs(tip ?? ref, Boolean(options.verify));

  // One `git cat-file --batch --buffer` runs beside the log and reads, as the log names them, the
  // blobs of changed environment files and the branch heads merged by first-parent commits (second
  // parents: the promotion commits of merge-style PRs). The config comes first, from GitCli's own
  // cat-file (it answers at once; the bulk stream answers in blocks).
  // Blobs stay bytes (views of cat-file's read buffers, outside the JS heap): most are only compared
  // (isExactSwap), and decoded when a file must be parsed.
  const blobs = new Map<string, Buffer>();
  const merged: HistoryRecord[] = [];
  // The log starts first: it is the critical path, and each spawn from a large process holds the main
  // thread for milliseconds. Its chunks reach the parser (below) once this function yields.
  const logRead = streamGit(dir, args, (chunk) => parser.push(chunk));
  const objects = new ObjectStream(dir, (name, object) => {
    if (object?.type === "blob") blobs.set(name, object.data);
    else if (object?.type === "commit") merged.push(commitRecord(name, object.data));
  });
  const configRead = git.readBlobs([`${ref}:${CONFIG_PATH}`]).then((texts) => texts.get(`${ref}:${CONFIG_PATH}`));

  // A partial clone (`--filter=blob:none`) lacks most file versions, and cat-file would fetch each on
  // its own (10,000 fetches: minutes). Its blobs are collected during the log and fetched in one request.
  const lacking: string[] | undefined = partial ? [] : undefined;
  const want = (oid: string) => void (lacking ? lacking.push(oid) : objects.want(oid));
  /** Fetches what the clone lacks of the collected blobs (and `also`) in one request, then asks cat-file for the collected ones. */
  const fetchLacking = async (also: Iterable<string> = []) => {
    if (!lacking) return;
    const oids = [...lacking, ...also];
    if (oids.length === 0) return;
    // Only what the clone lacks is fetched: an earlier audit may have fetched the rest.
    const failure = await fetchMissing(git, dir, oids, { remote: promisor?.name });
    if (failure) warnings.push(failure);
    for (const oid of lacking.splice(0)) objects.want(oid);
  };
  // Earlier versions of the config (blob ids, from the log) and the changed files outside the tip's
  // environment folders: read once the log is done, in case an earlier layout named those folders.
  const configVersions = new Set<string>();
  const outside: RawEntry[] = [];
  let layout: (Layout & { read: number }) | undefined;
  let readLeniently = false;
  let wantBlob: ((entry: RawEntry) => void) | undefined;
  const early: RawEntry[] = [];
  // Environment files changed by a commit that may declare its change (mayDeclare: Stagegate's trailers,
  // or a merge Stagegate made or of its branch) are not read beside the log: the replay predicts most of
  // them from the version before and the declared swap, checked by object id (predicted-versions.ts),
  // and reads or, in a partial clone, fetches the rest. The others (hand edits, first versions) are read
  // beside the log. In a full clone too: 10,000 blobs fewer for cat-file on the core git's log needs,
  // for ~20 ms of the main thread (A/B medians 592 vs 635 ms on Node 20, 701 vs 754 on 24).
  const declared = new Set<RawEntry>();
  let tipProblem: string | undefined;
  let tipText: string | undefined;
  const configParsed = configRead.then((text) => {
    const { config, problem } = parseConfig(text, ref);
    tipProblem = problem;
    tipText = text;
    if (config && options.extract) {
      const inEnvironment = environmentMatcher(config.environments);
      wantBlob = (entry) => {
        if (entry.path === CONFIG_PATH) configVersions.add(entry.newBlob);
        if (inEnvironment(entry.path)) {
          if (!declared.has(entry)) want(entry.newBlob);
        } else outside.push(entry);
      };
      for (const entry of early.splice(0)) wantBlob(entry);
    }
    return config;
  });
  const parser = new LogParser(Boolean(options.verify), (record, raw) => {
    record.firstParent = true;
    for (let i = 1; i < record.parents.length; i++) objects.want(record.parents[i]!);
    if (!options.extract) return;
    const declares = mayDeclare(record);
    for (const entry of raw) {
      if (!isFileVersion(entry)) continue;
      if (declares) declared.add(entry);
      if (wantBlob) wantBlob(entry);
      else early.push(entry);
    }
  });
  let config: Awaited<typeof configParsed>;
  let parsed: ReturnType<LogParser["end"]>;
  try {
    // All settled before going on: a failed config read must not leave the log unconsumed, nor the reverse.
    const [, read] = await Promise.all([logRead, configParsed]);
    options.mark?.("log");
    config = read;
    // The last record ends with the output: its objects are asked for before the input closes.
    parsed = parser.end();
    if (options.extract && !config) for (const entry of early) if (entry.path === CONFIG_PATH) configVersions.add(entry.newBlob);
    // A partial clone lacks the file versions the log named and the earlier versions of the config: one request for both.
    await fetchLacking(configVersions);
    if (options.extract) {
      // The tip's layout and what earlier versions of the config add to it. Without a usable config at
      // the tip, what its text names when read leniently (a key the schema refuses must not hide the
      // environments it adds), then the earlier versions. Their folders' files are read too.
      const lenient = config || tipText === undefined ? undefined : layoutOf(tipText);
      readLeniently = Boolean(lenient && lenient.environments.length > 0);
      const tipLayout = config ?? lenient ?? { environments: [], services: [] };
      const found = await historyLayout(git, tipLayout, configVersions, warnings, tipText);
      if (config || (found.environments.length > 0 && found.services.length > 0)) {
        layout = found;
        if (found.environments.length > (config?.environments.length ?? 0)) {
          const inLayout = environmentMatcher(found.environments);
          for (const entry of config ? outside : early) if (inLayout(entry.path)) want(entry.newBlob);
        }
      }
    }
    if (tipProblem) warnings.push(layout ? `${tipProblem}: the audit follows the environments and services ${readLeniently ? "it names (read leniently) and those " : ""}its ${layout.read} earlier version${layout.read === 1 ? "" : "s"} in the history named` : `${tipProblem}: digest changes outside Stagegate cannot be detected`);
    // Files of folders only earlier layouts named: a second request, in the rare history that has them.
    await fetchLacking();
    await objects.close();
  } catch (error) {
    objects.abort(); // never leave `git cat-file --batch` waiting on its stdin
    throw error;
  }
  const { records: chain, raws } = parsed;
  // One sha index for the merges' trailers and the reflog check (readBaseUpdated adds what it reads).
  const bySha = new Map([...chain, ...merged].map((r) => [r.sha, r]));
  await readBaseUpdated(git, bySha, merged);
  if (options.verify && merged.length > 0) await readSignatures(dir, merged);
  const records = [...chain, ...merged];
  const unchecked = options.verify ? records.filter((r) => r.signature === "E").length : 0;
  if (unchecked > 0) warnings.push(`${unchecked} commits are signed with keys git does not have (%G? = E: reported as bad-signature). Commits GitHub made (merges, squashes, Stagegate's API commits) are signed with its web-flow key: curl -fsSL https://github.com/web-flow.gpg | gpg --import; SSH signatures need gpg.ssh.allowedSignersFile`);

  const digestsComputed = Boolean(layout && options.extract);
  /** The rows, built as the replay went (buildAudit's walk over the same chain). */
  let audit: AuditAccumulator | undefined;
  if (layout && options.extract) {
    const { environments, services } = layout;
    const extract = options.extract;
    // Versions the replay cannot predict: fetched first in a partial clone, then read.
    const read = async (oids: string[]) => {
      if (promisor) {
        const failure = await fetchMissing(git, dir, oids, { remote: promisor.name });
        if (failure) warnings.push(failure);
      }
      if (oids.length > SMALL_READ) for (const [oid, bytes] of await readBlobBytes(dir, oids)) blobs.set(oid, bytes);
      else (await git.readRawMany(oids)).forEach((object, i) => void (object?.type === "blob" && blobs.set(oids[i]!, object.content)));
    };
    const replayed = await computeChanges(chain, raws, () => new DigestTracker(environments, services, extract), blobs, read, () => new AuditAccumulator(bySha));
    const tracker = replayed.tracker;
    audit = replayed.audit;
    for (const error of tracker.errors.slice(0, 20)) warnings.push(`could not read image references: ${error}`);
  }
  options.mark?.("replay");
  const reflog = await readReflogs(git, gitDir, branch, { bySha, chain }, options.reflogLimit ?? 2000);
  const oldest = chain.at(-1);
  if (shallow && oldest && cutByShallow(gitDir, oldest.sha)) warnings.push(`this clone is shallow: its history starts at ${oldest.sha.slice(0, 12)} (${oldest.committer.date}); changes before it are not audited and the digests of that commit show as initial. Run with --fetch, or git fetch --unshallow`);
  return {
    records,
    reflog,
    branch,
    environments: config?.environments.map((e) => ({ name: e.name, from: e.from })) ?? [],
    ref,
    ...(tip ? { tip } : {}),
    ...(notes ? { notes } : {}),
    signaturesRead: Boolean(options.verify),
    ...(options.verify ? { signatureSource: "git" as const } : {}),
    digestsComputed,
    ...(audit ? { audit } : {}),
    warnings,
  };
}

/**
 * The arguments of the audit's one `git log` over `rev`: the default branch's own history only
 * (--first-parent: the commits that changed what runs), with notes and raw diffs against the first
 * parent. Exported for the benchmark, which times this log alone against a plain `git log`.
 */
export function historyLogArgs(rev: string, verify: boolean): string[] {
  return ["-c", "core.quotePath=off", "log", "--first-parent", `--notes=${NOTES_REF}`, "--no-renames", "--root", "--raw", "-z", "--no-abbrev", "--diff-merges=first-parent", logFormat(verify), "--end-of-options", rev, "--"];
}

/**
 * A merged branch head read from its commit object. Notes are read on the default branch's own
 * commits only (where Stagegate writes them), so a merged head carries none.
 */
function commitRecord(sha: string, data: Buffer): HistoryRecord {
  const commit = parseCommitObject(data);
  const { subject, body } = splitMessage(commit.message);
  return { sha, parents: commit.parents, author: commit.author, committer: commit.committer, subject, body, trailers: parseMessageTrailers(commit.message), firstParent: false };
}

/**
 * The PR branch commits below merged heads that were updates from the default branch (isBaseUpdate):
 * the promotion commit whose trailers the head lacks. Read a level at a time, at most
 * MAX_BASE_UPDATES levels, each level one round trip to GitCli's running cat-file. What it reads is
 * added to `merged` and `bySha`.
 */
async function readBaseUpdated(git: GitCli, bySha: Map<string, HistoryRecord>, merged: HistoryRecord[]): Promise<void> {
  const seen = new Set<string>();
  let level = merged.filter((head) => isBaseUpdate(head, bySha));
  for (let depth = 0; depth < MAX_BASE_UPDATES && level.length > 0; depth++) {
    const below = [...new Set(level.map((head) => head.parents[0]!))].filter((sha) => !seen.has(sha));
    for (const sha of below) seen.add(sha);
    const wanted = below.filter((sha) => !bySha.has(sha));
    const read = wanted.length > 0 ? await git.readRawMany(wanted) : [];
    read.forEach((object, i) => {
      if (object?.type !== "commit") return;
      const record = commitRecord(wanted[i]!, object.content);
      merged.push(record);
      bySha.set(record.sha, record);
    });
    // Known or just read, each commit below that is itself an update from the default branch goes on.
    level = below.map((sha) => bySha.get(sha)).filter((r): r is HistoryRecord => r !== undefined && !r.firstParent && isBaseUpdate(r, bySha));
  }
}

/** `%G?` of the merged heads (`--verify`): one `git log --no-walk` over them, after the log. */
async function readSignatures(dir: string, records: HistoryRecord[]): Promise<void> {
  const bySha = new Map(records.map((r) => [r.sha, r]));
  let rest = "";
  const take = (line: string) => {
    const [sha = "", status = ""] = line.split(" ");
    const record = bySha.get(sha);
    if (record && isSignatureStatus(status)) record.signature = status;
  };
  await streamGit(
    dir,
    ["log", "--no-walk=unsorted", "--stdin", "--format=%H %G?"],
    (chunk) => {
      const lines = (rest + chunk.toString("latin1", 0, chunk.length)).split("\n");
      rest = lines.pop() ?? "";
      lines.forEach(take);
    },
    `${records.map((r) => r.sha).join("\n")}\n`,
  );
  take(rest);
}

/**
 * The audited ref and its commit (the log reads that commit, so a fetch meanwhile cannot change what
 * the report says it covers), the notes ref's commit, and the git directory, in two parallel git calls.
 */
async function resolveBranch(git: GitCli, wanted: string | undefined): Promise<{ branch: string; ref: string; tip?: string; notes?: string; gitDir: string; shallow: boolean; hasNotes: boolean }> {
  // A name git would read as an option (`--output=FILE`) or that no branch can have is refused before any git runs.
  if (wanted !== undefined && !isBranchName(wanted)) throw new Error(`--branch: "${wanted}" is not a branch name`);
  const [refsOut, revOut] = await Promise.all([
    // %(HEAD) marks the checked-out branch; none is marked on a detached or unborn HEAD.
    git.run(["for-each-ref", "--format=%(refname)%09%(symref)%09%(HEAD)%09%(objectname)", "refs/heads", "refs/remotes/origin", NOTES_REF]),
    git.run(["rev-parse", "--path-format=absolute", "--git-common-dir", "--is-shallow-repository"]),
  ]);
  const lines = refsOut.split("\n").filter(Boolean).map((line) => line.split("\t"));
  if (!lines.some(([name = ""]) => name.startsWith("refs/heads/") || name.startsWith("refs/remotes/"))) throw new Error(`${git.dir} has no branches yet: there is no history to audit`);
  const refs = new Map(lines.map(([name = "", symref = ""]) => [name, symref]));
  const head = lines.find(([, , mark]) => mark === "*")?.[0] ?? "HEAD";
  const [gitDir = ".git", shallow = ""] = revOut.split("\n");
  const remoteHead = refs.get("refs/remotes/origin/HEAD");
  const branch = wanted ?? (remoteHead ? remoteHead.replace(/^refs\/remotes\/origin\//, "") : head.replace(/^refs\/heads\//, ""));
  // The remote-tracking branch is what the server has (after --fetch); the local one may lag or hold unpushed work.
  const ref = [`refs/remotes/origin/${branch}`, `refs/heads/${branch}`].find((r) => refs.has(r)) ?? branch;
  const objectOf = (name: string) => lines.find(([refname]) => refname === name)?.[3] || undefined;
  return { branch, ref, tip: objectOf(ref), notes: objectOf(NOTES_REF), gitDir, shallow: shallow === "true", hasNotes: refs.has(NOTES_REF) };
}

/** A name `git check-ref-format --branch` could accept (the checks that matter here: no option, no revision syntax). */
function isBranchName(name: string): boolean {
  if (name === "" || name.startsWith("-") || name.startsWith("/") || name.endsWith("/") || name.endsWith(".lock") || name.includes("..") || name.includes("@{")) return false;
  for (const char of name) if (char <= " " || char === "\u007f" || "~^:?*[\\".includes(char)) return false;
  return true;
}

/**
 * Whether the audited history was cut by a shallow fetch: its oldest commit is a shallow boundary
 * (`$GIT_DIR/shallow`). A full branch in a clone that is shallow elsewhere (another branch fetched with
 * `--depth`) is not; when the file cannot be read, a shallow clone is taken as cut.
 */
function cutByShallow(gitDir: string, oldest: string): boolean {
  try {
    return readFileSync(join(gitDir, "shallow"), "latin1").split("\n").includes(oldest);
  } catch {
    return true;
  }
}

/** Why the tip's configuration cannot be used, or what it says (environments and services only). */
function parseConfig(text: string | undefined, ref: string): { config?: ReturnType<typeof configSchema.parse>; problem?: string } {
  if (text === undefined) return { problem: `no stagegate.yaml at the tip of ${ref}` };
  // Only environments and services matter here; a broken policy must not stop an audit, so policies are not loaded.
  let parsed;
  try {
    parsed = configSchema.safeParse(parseYaml(text));
  } catch (error) {
    return { problem: `stagegate.yaml is not valid YAML (${(error as Error).message.split("\n")[0]})` };
  }
  return parsed.success ? { config: parsed.data } : { problem: "stagegate.yaml is invalid (run stagegate validate)" };
}

/** Environment of a repository path by precomputed folder prefixes (longest first, nested folders resolve inward). */
function environmentMatcher(environments: readonly { name: string; path: string }[]): (path: string) => string | undefined {
  const prefixes = environments
    .map((e) => ({ name: e.name, path: e.path.replace(/\/+$/, "") }))
    .sort((a, b) => b.path.length - a.path.length)
    .map((e) => ({ name: e.name, path: e.path, prefix: e.path === "." || e.path === "" ? "" : `${e.path}/` }));
  return (path) => prefixes.find((e) => e.prefix === "" || path === e.path || path.startsWith(e.prefix))?.name;
}
