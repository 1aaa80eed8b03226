/**
 * The audit's digest replay: the first-parent history, oldest first, through the digest tracker.
 * The environment files' versions come from the log's cat-file stream (hand edits), from prediction
 * (declared swaps, verified by object id: predicted-versions.ts) or from reads of what is left.
 */
import type { DigestTracker } from "../../core/audit/digest-tracker.js";
import type { AuditAccumulator } from "../../core/audit/build-audit.js";
import type { ChangeIdentity } from "../../core/audit/evidence.js";
import { hasTrailer, TRAILER } from "../../core/audit/trailers.js";
import type { HistoryRecord } from "../../core/audit/types.js";
import { BRANCH_PREFIX } from "../../core/plan/branch.js";
import { append } from "../../core/tight-list.js";
import { isDeclaredSwap } from "./digest-swap.js";
import { isZeroOid } from "./git-cli.js";
import type { RawEntry } from "./log-parser.js";
import { contentOf, predict, resolveVersions, swapInPlace, workingOf, type FileStep, type Working } from "./predicted-versions.js";

/** A raw entry that leaves a file version at its path (not a deletion, not a submodule): one to read. */
export function isFileVersion(entry: RawEntry): boolean {
  return entry.status !== "D" && !isZeroOid(entry.newBlob) && entry.gitlink !== true;
}

/** GitHub's subject for a merged PR: `Merge pull request #12 from owner/branch`, the branch captured. */
const MERGED_PR = /^Merge pull request #\d+ from [^\s/]+\/(\S+)/;

/**
 * Whether a first-parent commit may declare the change it makes, before its merged head is read: it
 * carries Stagegate's trailers, or it is a merge Stagegate made (its own trailers on the merge) or of a
 * Stagegate branch. The replay then predicts its environment files instead of having them read beside
 * the log. Only a hint: a version the declared swap does not explain is read after the log (one round
 * trip), so a merge nothing declares is read beside the log as any hand edit (10,000 hand-made merges:
 * ~20% slower when every merge counted).
 */
export function mayDeclare(record: HistoryRecord): boolean {
  if (hasTrailer(record.trailers, TRAILER.service)) return true;
  if (record.parents.length < 2) return false;
  // The trailers mergePromotion writes on its merges (Stagegate-PR first of them), or a Stagegate branch merged in GitHub's interface.
  return hasTrailer(record.trailers, TRAILER.pr) || MERGED_PR.exec(record.subject)?.[1]?.startsWith(BRANCH_PREFIX) === true;
}

/**
 * Replays the first-parent history oldest first through a tracker from `newTracker`, adds each commit
 * to an accumulator from `newAudit` (its rows) as soon as its changes are known, and returns the tracker
 * and accumulator of the replay that completed. `blobs` holds the environment files the stream read;
 * the versions it lacks are predicted or read through `read` (which adds to `blobs`). A declared
 * Stagegate change whose file changed by exactly the declared swap is applied without parsing the file
 * (isDeclaredSwap: the exact swap on bytes, or line by line with only tags changed beside it; a
 * predicted version is that swap by construction); anything else is parsed. The change a commit
 * declares is the audit's own identity of it ({@link AuditAccumulator.evidence}), computed once for the
 * fast path here and the rows there, and dropped with the commit's rows made (evidence kept for the
 * whole chain is that much more for the collector to copy). It only proposes: the bytes (or the object
 * id) and the tracker's state decide.
 */
export async function computeChanges(newestFirst: readonly HistoryRecord[], raws: Map<string, RawEntry[]>, newTracker: () => DigestTracker, blobs: Map<string, Buffer>, read: (oids: string[]) => Promise<void>, newAudit: () => AuditAccumulator): Promise<{ tracker: DigestTracker; audit: AuditAccumulator }> {
  const chain = [...newestFirst].reverse();
  const probe = newTracker();
  const missing = chain.some((record) => (raws.get(record.sha) ?? []).some((entry) => isFileVersion(entry) && !blobs.has(entry.newBlob) && probe.environmentOf(entry.path) !== undefined));
  // Every version read beside the log (no declared change, or no environment file): nothing to predict.
  // Else, a history Stagegate made: every version the stream did not read is the declared swap of the
  // one before, predicted and hashed in the replay itself, with no planning pass. At the first version it
  // cannot predict (a hint that lies, a tag written that no Stagegate-Tag declares) it starts again with
  // one (resolveVersions: rounds of reads), and a new accumulator.
  const audit = newAudit();
  /** The identity each commit declares, by its index in `chain`: what the planning pass reads. */
  const identities: (ChangeIdentity | undefined)[] = new Array<ChangeIdentity | undefined>(chain.length);
  const stopped = replay(chain, raws, probe, audit, identities, blobs, missing ? INLINE : NONE_PREDICTED);
  if (stopped === chain.length) return { tracker: probe, audit };
  // The walk of the abandoned accumulator goes on past the commit it stopped at, for the identities.
  for (let i = stopped + 1; i < chain.length; i++) identities[i] = audit.evidence(chain[i]!).identity;
  const predicted = await resolveVersions(fileSteps(chain, raws, probe, identities), blobs, read);
  const tracker = newTracker();
  const replayed = newAudit();
  replay(chain, raws, tracker, replayed, identities, blobs, predicted);
  return { tracker, audit: replayed };
}

const NONE_PREDICTED: ReadonlySet<number> = new Set();
/** The replay's mode that predicts each version the stream did not read as it goes, and gives up at the first it cannot. */
const INLINE = "inline";

/**
 * One pass over the chain through `tracker`, setting each commit's `changes` and `touched` and adding it
 * to `audit`; each commit's identity is written into `identities`. With the steps `resolveVersions`
 * predicted, a predicted version is the declared swap of the one before: the tracker takes the swap and
 * the bytes wait until they are needed. {@link INLINE}: each version the stream did not read is
 * predicted here (hashed against its object id), and the pass stops at the first that is not the
 * declared exact swap. Returns the chain's length when it completed, else the index of the commit it
 * stopped at (whose evidence `audit` has taken).
 */
function replay(chain: readonly HistoryRecord[], raws: Map<string, RawEntry[]>, tracker: DigestTracker, audit: AuditAccumulator, identities: (ChangeIdentity | undefined)[], blobs: Map<string, Buffer>, predicted: ReadonlySet<number> | typeof INLINE): number {
  /** path → its last version: the fast path's baseline, and what a predicted version is written into. */
  const last = new Map<string, Working>();
  /**
   * path → the predicted swaps (previous, digest, …) its last version has not been written with yet:
   * written only when its bytes are needed (a parse, a version after it that was read), so a path whose
   * versions are all predicted swaps costs no bytes at all here (resolveVersions hashed each of them).
   */
  const pending = new Map<string, string[]>();
  const bytesOf = (path: string): Working | undefined => {
    const working = last.get(path);
    const swaps = pending.get(path);
    if (working && swaps) for (let k = 0; k < swaps.length; k += 2) swapInPlace(working, swaps[k]!, swaps[k + 1]!);
    pending.delete(path);
    return working;
  };
  let step = 0; // index in `steps`: the environment entries, in the same order
  for (let i = 0; i < chain.length; i++) {
    const record = chain[i]!;
    const evidence = audit.evidence(record);
    const identity = evidence.identity;
    identities[i] = identity;
    const raw = raws.get(record.sha) ?? [];
    if (raw.length === 0) {
      record.changes = [];
      record.touched = [];
      audit.add(record, evidence);
      continue;
    }
    let touched: string[] | undefined;
    for (const entry of raw) {
      const env = tracker.environmentOf(entry.path);
      if (!env) continue;
      const index = step++;
      if (!touched?.includes(env)) touched = append(touched, env);
      const declared = identity?.digest && identity.previous && identity.environment === env ? identity : undefined;
      if (predicted === INLINE && isFileVersion(entry) && !blobs.has(entry.newBlob)) {
        // A version the stream did not read: the declared swap of the one before, or a planning pass.
        const before = last.get(entry.path);
        if (!before || !declared) return i;
        // Without a declared tag the swap is written into the path's own copy. With one it is tried on a
        // copy: a version with the tag written beside the digest is checked against the one before, below.
        const trial = declared.tag === undefined ? before : workingOf(contentOf(before));
        const found = predict(trial, { previous: declared.previous!, digest: declared.digest!, tag: declared.tag }, entry.newBlob);
        if (!found) return i;
        if (found === trial) {
          last.set(entry.path, trial);
          if (!tracker.applySwap(entry.path, declared.service, declared.previous, declared.digest!)) tracker.setFile(entry.path, contentOf(trial).toString("utf8"));
          continue;
        }
        blobs.set(entry.newBlob, contentOf(found));
      } else if (predicted !== INLINE && declared && predicted.has(index) && last.has(entry.path)) {
        // Predicted by resolveVersions (it hashed that swap against the object id): the tracker takes the
        // swap, and the bytes wait until they are needed.
        const swaps = pending.get(entry.path);
        if (swaps) swaps.push(declared.previous!, declared.digest!);
        else pending.set(entry.path, [declared.previous!, declared.digest!]);
        if (tracker.applySwap(entry.path, declared.service, declared.previous, declared.digest!)) continue;
        tracker.setFile(entry.path, contentOf(bytesOf(entry.path)!).toString("utf8"));
        continue;
      }
      const before = bytesOf(entry.path);
      // A submodule where a file was is the file gone: nothing runs from it.
      const bytes = entry.status === "D" || entry.gitlink ? undefined : blobs.get(entry.newBlob);
      if (bytes === undefined) last.delete(entry.path);
      else last.set(entry.path, workingOf(bytes));
      if (before && bytes && declared) {
        // Only the declared swap (with the release's tag written beside it) skips the parse: a file
        // changed in any other way (an image name, another digest, a line added) is parsed.
        if (isDeclaredSwap(contentOf(before), bytes, declared.previous!, declared.digest!) && tracker.applySwap(entry.path, declared.service, declared.previous, declared.digest!)) continue;
      }
      tracker.setFile(entry.path, bytes?.toString("utf8"));
    }
    record.changes = tracker.commit();
    record.touched = touched ?? [];
    audit.add(record, evidence);
  }
  return chain.length;
}

/** The environment file versions of `chain` in order, with the swap each commit declares for its environment. */
function fileSteps(chain: readonly HistoryRecord[], raws: Map<string, RawEntry[]>, tracker: DigestTracker, identities: readonly (ChangeIdentity | undefined)[]): FileStep[] {
  const steps: FileStep[] = [];
  for (let i = 0; i < chain.length; i++) {
    const raw = raws.get(chain[i]!.sha);
    if (!raw || raw.length === 0) continue;
    const identity = identities[i];
    for (const entry of raw) {
      const env = tracker.environmentOf(entry.path);
      if (!env) continue;
      const swap = identity?.environment === env && identity.previous && identity.digest ? { previous: identity.previous, digest: identity.digest, tag: identity.tag } : undefined;
      steps.push({ path: entry.path, oid: isFileVersion(entry) ? entry.newBlob : undefined, swap });
    }
  }
  return steps;
}
