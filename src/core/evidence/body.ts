import { createHash } from "node:crypto";
import { EVIDENCE_VERSION, evidenceSchema, type Evidence } from "./schema.js";
import { cell, code, escapeText, link, plural } from "./markdown.js";
import { SEAL_LEEWAY_MS, type EvidenceSeal } from "./seal.js";

/**
 * The PR body of a promotion: a human-readable summary followed by one machine-readable block,
 *
 *     <!-- stagegate:evidence v1 sha256:<hex of the JSON line> hmac-sha256:<seal> sealed:<UTC time>
 *     {"version":1,...}
 *     -->
 *
 * An HTML comment is invisible on GitHub and survives people editing the text around it. The JSON
 * is one line with `<`, `>` and `&` escaped, so no value can close the comment; the checksum tells
 * a block mangled by an edit around it from one Stagegate wrote. Anyone who can edit the PR can
 * recompute a checksum: the seal (seal.ts, an HMAC under a key only Stagegate holds) is what tells a
 * block Stagegate wrote from one rewritten by hand ({@link sealProblem}). It is written when the
 * deployment has a key (the App always does) and absent otherwise.
 */
const BLOCK_TAG = "stagegate:evidence";
const BLOCK = /<!--[ \t]*stagegate:evidence\b([^\r\n]*)\r?\n([\s\S]*?)-->/g;
const HEADER = /^[ \t]+v(\d+)[ \t]+sha256:([a-f0-9]{64})(?:[ \t]+hmac-sha256:([a-f0-9]{64})(?:[ \t]+sealed:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ))?)?[ \t]*$/;
/** Files listed in the human part; the block always has all of them. */
const MAX_LISTED_FILES = 50;

export interface RenderOptions {
  /** Web URL of the GitHub server, for commit and compare links (GHES). */
  serverUrl?: string;
  /** Seals the block (the App's key); without it the block has a checksum only. */
  seal?: EvidenceSeal;
}

export type ParseEvidenceResult =
  /** `json` is the block's JSON line, `mac` its seal and `sealedAt` the seal's time, when it has them (for {@link sealProblem}). */
  | { ok: true; evidence: Evidence; json: string; mac?: string; sealedAt?: string }
  | { ok: false; error: "missing" | "invalid" | "unsealed"; message: string };

/** Renders the PR body for a promotion or rollback. Deterministic: same evidence (and seal time), same bytes. */
export function renderPromotionBody(evidence: Evidence, options: RenderOptions = {}): string {
  return `${renderHumanPart(evidence, options.serverUrl ?? "https://github.com")}\n\n${renderEvidenceBlock(evidence, options.seal)}\n`;
}

/** The machine-readable block alone (also used where the human part is written elsewhere), sealed when `seal` is given. */
export function renderEvidenceBlock(evidence: Evidence, seal?: EvidenceSeal): string {
  const json = toSafeJson(evidence);
  const sealed = seal?.seal(json);
  return `<!-- ${BLOCK_TAG} v${EVIDENCE_VERSION} sha256:${sha256(json)}${sealed ? ` hmac-sha256:${sealed.mac} sealed:${sealed.at}` : ""}\n${json}\n-->`;
}

/**
 * {@link parsePromotionBody}, and with `seal` the block must carry this deployment's seal: without it,
 * or with one that does not match, the result is `{ ok: false, error: "unsealed" }` with the reason
 * ({@link sealProblem}). Without a seal (local mode without a key) the checksum is all there is.
 * `pr` is the PR whose body it is: its block must have been sealed for it, that is not long before
 * it was opened (a block sealed for an earlier PR of the same branch is refused as well).
 */
export function parseSealedBody(body: string | null | undefined, seal: EvidenceSeal | undefined, pr?: { createdAt: string }): ParseEvidenceResult {
  const parsed = parsePromotionBody(body);
  if (!parsed.ok || !seal) return parsed;
  const problem = sealProblem(parsed, seal) ?? (pr ? sealTimeProblem(parsed.sealedAt, pr.createdAt) : undefined);
  return problem ? { ok: false, error: "unsealed", message: problem } : parsed;
}

/**
 * Why a verified seal was not made for a PR opened at `openedAt`: it has no time (sealed by a
 * Stagegate before seals had one), or it was made more than {@link SEAL_LEEWAY_MS} before the PR
 * was opened, so it was sealed for an earlier PR of the same branch.
 */
function sealTimeProblem(sealedAt: string | undefined, openedAt: string): string | undefined {
  if (sealedAt === undefined) return "its evidence block's seal carries no time (sealed by an earlier Stagegate version)";
  const opened = Date.parse(openedAt);
  if (Number.isNaN(opened) || Date.parse(sealedAt) >= opened - SEAL_LEEWAY_MS) return undefined;
  return `its evidence block was sealed at ${sealedAt}, before this PR was opened (${openedAt}): it was sealed for an earlier PR of this branch`;
}

/**
 * Why a parsed block cannot be taken for one this Stagegate wrote: it has no seal, or its seal does
 * not match (the block was rewritten, or sealed under a key this deployment does not hold). Undefined
 * when the seal verifies. Callers without a key do not ask.
 */
export function sealProblem(parsed: { json: string; mac?: string; sealedAt?: string }, seal: EvidenceSeal): string | undefined {
  if (parsed.mac === undefined) return "its evidence block carries no seal (written by hand, or by a Stagegate without this deployment's key)";
  if (!seal.verify(parsed.json, parsed.mac, parsed.sealedAt)) return "its evidence block's seal does not match (the block was rewritten after Stagegate wrote it)";
  return undefined;
}

/**
 * Finds and validates the evidence block of a PR body. Never throws: a missing, duplicated,
 * edited or invalid block is an `ok: false` result whose message says what is wrong.
 */
export function parsePromotionBody(body: string | null | undefined): ParseEvidenceResult {
  if (typeof body !== "string" || body.length === 0) return missing();
  const blocks = [...body.matchAll(BLOCK)];
  if (blocks.length === 0) return missing();
  if (blocks.length > 1) return invalid(`the PR body holds ${blocks.length} evidence blocks; exactly one is allowed`);
  const [, header = "", content = ""] = blocks[0] ?? [];
  const head = HEADER.exec(header);
  if (!head) return invalid("the evidence block header is malformed (expected `v<version> sha256:<hex>`)");
  const version = Number(head[1]);
  if (version !== EVIDENCE_VERSION) return invalid(`evidence block version ${version} is not supported (this Stagegate reads version ${EVIDENCE_VERSION})`);
  const json = content.trim();
  if (sha256(json) !== head[2]) return invalid("the evidence block was modified after Stagegate wrote it (checksum mismatch)");
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return invalid("the evidence block is not valid JSON");
  }
  const parsed = evidenceSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return invalid(`the evidence block does not match the evidence schema: ${issues.join("; ")}`);
  }
  return { ok: true, evidence: parsed.data, json, ...(head[3] ? { mac: head[3] } : {}), ...(head[4] ? { sealedAt: head[4] } : {}) };
}

function missing(): ParseEvidenceResult {
  return { ok: false, error: "missing", message: "the PR body has no Stagegate evidence block" };
}

function invalid(message: string): ParseEvidenceResult {
  return { ok: false, error: "invalid", message };
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** One-line JSON that cannot terminate an HTML comment or be read as HTML. */
function toSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function renderHumanPart(e: Evidence, serverUrl: string): string {
  const verb = e.kind === "rollback" ? "Rollback" : "Promotion";
  const out: string[] = [`## ${verb} of ${code(e.service)} to ${code(e.environment)}`, ""];
  out.push(...renderSummaryTable(e, serverUrl));
  if (e.reason) out.push("", `> **Reason:** ${escapeText(e.reason)}`);
  out.push("", ...renderFiles(e), "", ...renderGates(e), "", ...renderApprovals(e));
  out.push("", "<sub>Written by Stagegate. The hidden evidence block below is machine-readable: edit around it, not inside it.</sub>");
  return out.join("\n");
}

function renderSummaryTable(e: Evidence, serverUrl: string): string[] {
  const a = e.artifact;
  const rows: [string, string][] = [["Artifact", code(`${a.image}@${a.digest}`)]];
  if (a.tag) rows.push(["Tag", code(a.tag)]);
  if (a.source) rows.push(["Source", link(`${a.source.repo}@${a.source.sha.slice(0, 7)}`, `${serverUrl}/${a.source.repo}/commit/${a.source.sha}`)]);
  const compares = e.previous.flatMap((p) =>
    a.source && p.source && p.source.repo === a.source.repo && p.source.sha !== a.source.sha
      ? [link(`${p.source.sha.slice(0, 7)}...${a.source.sha.slice(0, 7)}`, `${serverUrl}/${a.source.repo}/compare/${p.source.sha}...${a.source.sha}`)]
      : [],
  );
  if (compares.length > 0) rows.push(["Changes", compares.join(", ")]);
  rows.push(["Previous", e.previous.length > 0 ? e.previous.map((p) => code(p.tag ? `${p.digest} (${p.tag})` : p.digest)).join(", ") : "none recorded"]);
  if (e.from) rows.push(["From", code(e.from)]);
  if (e.requestedBy) rows.push(["Requested by", code(e.requestedBy)]);
  rows.push(["Policy", code(`policies/${e.policy}.yaml`)]);
  if (a.buildUrl) rows.push(["Build", link("build", a.buildUrl)]);
  if (a.scanUrl) rows.push(["Scan", link("scan report", a.scanUrl)]);
  if (a.provenanceUrl) rows.push(["Provenance", link("provenance", a.provenanceUrl)]);
  return ["| | |", "|---|---|", ...rows.map(([k, v]) => `| **${k}** | ${cell(v)} |`)];
}

function renderFiles(e: Evidence): string[] {
  const out = [`### Files changed (${e.files.length})`, ""];
  for (const f of e.files.slice(0, MAX_LISTED_FILES)) out.push(`- ${code(f.path)} (${escapeText(f.editor)}, ${plural(f.lines, "line")})`);
  if (e.files.length > MAX_LISTED_FILES) out.push(`- …and ${e.files.length - MAX_LISTED_FILES} more (see the evidence block)`);
  if (e.files.length === 0) out.push("- none");
  if (e.skipped && e.skipped.length > 0) {
    out.push("", "Not edited (they reference the image but cannot be changed safely; update them by hand if needed):", "");
    for (const s of e.skipped.slice(0, MAX_LISTED_FILES)) out.push(`- ${code(s.path)}: ${escapeText(s.reason)}`);
  }
  return out;
}

function renderGates(e: Evidence): string[] {
  const out = ["### Gates", "", "| Check | Condition |", "|---|---|"];
  for (const g of e.gates) out.push(`| ${cell(code(g.check))} | ${cell(escapeText(g.description ?? describeGate(g.gate)))} |`);
  out.push(`| ${code("stagegate")} | ${e.gates.length > 0 ? "every gate above passes" : "no gates: passes at once"} |`);
  return out;
}

function renderApprovals(e: Evidence): string[] {
  const out = ["### Approvals required", ""];
  if (e.approvals.length === 0) out.push("- none required by the policy");
  for (const a of e.approvals) {
    const who = [...a.teams, ...a.users].map((p) => code(p.replace(/^@/, "")));
    out.push(`- ${plural(a.count, "approval")} from ${who.length > 0 ? who.join(", ") : "anyone with write access"} (gate ${code(a.gate)})`);
  }
  const reviewers = [...e.reviewers.teams, ...e.reviewers.users].map((r) => code(r));
  if (reviewers.length > 0) out.push("", `Review requested from ${reviewers.join(", ")}.`);
  return out;
}

const GATE_DESCRIPTIONS: Record<string, string> = {
  upstream: "the digest is deployed and verified healthy in every upstream environment",
  soak: "the digest has been healthy upstream for the soak duration",
  "source-checks": "the source commit's required checks succeeded",
  vulnerabilities: "scan findings are within the policy's limits",
  metrics: "the metrics analysis succeeds",
  window: "inside a promotion window and outside every freeze",
  approvals: "enough approvals from the named teams/users",
  http: "the HTTP check returns what the policy expects",
};

function describeGate(type: string): string {
  return GATE_DESCRIPTIONS[type] ?? `gate ${type}`;
}
