import { isDigest, isSameImage, setImageDigest, findImageReferences } from "../../editors/index.js";
import type { EditRequest, EditResult } from "../../editors/index.js";
import { promotionRequestSchema, type PromotionRequest, type PromotionRequestInput } from "../artifact.js";
import type { Environment, Service } from "../config/config-schema.js";
import { getEnvironment, getPolicy, getPolicyName, getService, type LoadedConfig } from "../config/loaded.js";
import { NotFoundError, TerminalError } from "../errors.js";
import type { PreviousArtifact } from "../evidence/schema.js";
import type { FileChange, PromotionPlan, SkippedFile } from "../plan-types.js";
import { listFilesUnder, type RepoSnapshot } from "../snapshot.js";
import { promotionBranch, shortDigest } from "./branch.js";
import { renderCommitMessage, renderTitle } from "./message.js";
import { buildEvidence, planChecks, planLabels, planReviewers } from "./metadata.js";
import { renderPromotionBody } from "../evidence/body.js";
import type { EvidenceSeal } from "../evidence/seal.js";

/** What the caller knows beyond the snapshot (e.g. from deployments): source commits of previous digests. */
export interface PlanContext {
  previousArtifacts?: readonly PreviousArtifact[];
  /** Web URL of the GitHub server for links in the PR body (GHES). */
  serverUrl?: string;
  /** Seals the PR body's evidence block (the App's key: core/evidence/seal.ts). */
  seal?: EvidenceSeal;
  /** The file editor; the editors' setImageDigest unless a caller (a test) injects another. */
  edit?: (fileName: string, content: string, request: EditRequest) => EditResult;
}

/** Files the planner reads during discovery: manifests, values, Argo CD applications. */
const MANIFEST = /\.(ya?ml|json)$/i;

interface Candidate {
  path: string;
  fields?: string[];
  explicit: boolean;
}

/**
 * Plans the promotion of one artifact into one environment. Pure: reads the snapshot and the
 * loaded configuration, returns every file edit, the branch, title, body, commit message and PR
 * metadata. Throws TerminalError (NotFoundError) for bad requests, unknown names and edits that
 * cannot be proven: an environment is never half-edited.
 *
 * Idempotent: planning against the result of applying a plan returns `already-promoted`.
 */
export function planPromotion(snapshot: RepoSnapshot, input: PromotionRequestInput, loaded: LoadedConfig, context: PlanContext = {}): PromotionPlan {
  const request = parseRequest(input);
  const env = requireEnvironment(loaded, request.environment);
  if (request.from !== undefined) requireEnvironment(loaded, request.from);
  const service = requireService(loaded, request.artifact.service);
  if (!isSameImage(request.artifact.image, service.image)) {
    throw new TerminalError(`artifact image ${request.artifact.image} is not the image of service "${service.name}" (${service.image})`, { service: service.name });
  }
  const digest = request.artifact.digest;
  if (!isDigest(digest)) throw new TerminalError(`digest must be sha256: followed by 64 lowercase hex characters`, { digest });

  const changes: FileChange[] = [];
  const skipped: SkippedFile[] = [];
  const refused: string[] = [];
  let unchanged = 0;
  const referenceTags = new Map<string, string>();
  for (const candidate of findCandidates(snapshot, env, service)) {
    const content = snapshot.files.get(candidate.path) ?? "";
    const result = (context.edit ?? setImageDigest)(candidate.path, content, {
      image: service.image,
      digest,
      ...(request.artifact.tag ? { tag: request.artifact.tag } : {}),
      dropTag: !service.keepTag,
      ...(candidate.fields ? { fields: candidate.fields } : {}),
    });
    for (const ref of result.references) if (ref.digest && ref.tag && !referenceTags.has(ref.digest)) referenceTags.set(ref.digest, ref.tag);
    switch (result.status) {
      case "changed":
        // A tag-only difference is not a promotion: the artifact (digest) is already there.
        if (result.references.length > 0 && result.references.every((r) => r.digest === digest)) unchanged++;
        else changes.push(toFileChange(candidate.path, content, result));
        break;
      case "unchanged":
        unchanged++;
        break;
      case "skipped":
        skipped.push({ path: candidate.path, reason: result.reason ?? "skipped by the editor" });
        break;
      case "refused":
        refused.push(`${candidate.path}: ${result.reason ?? "edit refused"}`);
        break;
      case "not-found":
        if (candidate.explicit) refused.push(`${candidate.path}: configured as a target of ${service.name} in ${env.name} but ${result.reason ?? `has no reference to ${service.image}`}`);
        break;
    }
  }
  if (refused.length > 0) {
    throw new TerminalError(`cannot promote ${service.name} to ${env.name}: no file was changed because ${refused.length === 1 ? "an edit was" : "edits were"} refused:\n${refused.map((r) => `  ${r}`).join("\n")}`, {
      service: service.name,
      environment: env.name,
    });
  }

  const previousDigests = [...new Set(changes.flatMap((c) => c.previousDigests))];
  const status = changes.length > 0 ? "changed" : unchanged > 0 ? "already-promoted" : "not-referenced";
  const previous = previousDigests.map((d): PreviousArtifact => {
    const known = context.previousArtifacts?.find((p) => p.digest === d);
    const tag = known?.tag ?? referenceTags.get(d);
    return { digest: d, ...(tag ? { tag } : {}), ...(known?.source ? { source: known.source } : {}) };
  });
  const policy = getPolicy(loaded, env);
  const policyName = getPolicyName(loaded, env);
  const reviewers = planReviewers(policy, service);
  const evidence = buildEvidence({ request, policy, policyName, previous, changes, skipped, reviewers });
  const plan: PromotionPlan = {
    status,
    request,
    environment: env.name,
    service: service.name,
    policy: policyName,
    branch: promotionBranch(request.kind, env.name, service.name, digest),
    baseOid: snapshot.oid,
    baseRef: snapshot.ref,
    title: renderTitle(request),
    body: renderPromotionBody(evidence, { ...(context.serverUrl ? { serverUrl: context.serverUrl } : {}), ...(context.seal ? { seal: context.seal } : {}) }),
    commitMessage: renderCommitMessage(request, evidence.files, previousDigests),
    files: changes,
    skipped,
    previousDigests,
    labels: planLabels(policy, env.name, request.kind),
    reviewers,
    checks: planChecks(policy, request.kind),
  };
  const message = explain(status, request, env, service, unchanged, skipped);
  if (message) plan.message = message;
  return plan;
}

function parseRequest(input: PromotionRequestInput): PromotionRequest {
  const parsed = promotionRequestSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(request)"}: ${i.message}`);
  throw new TerminalError(`invalid promotion request: ${issues.join("; ")}`, { issues });
}

/** The environment of a name; NotFoundError listing the known ones otherwise. */
export function requireEnvironment(loaded: LoadedConfig, name: string): Environment {
  const env = getEnvironment(loaded, name);
  if (env) return env;
  const known = loaded.config.environments.map((e) => e.name).join(", ");
  throw new NotFoundError(`unknown environment "${name}" (known: ${known})`, { environment: name });
}

/** The service of a name; NotFoundError listing the known ones otherwise. */
export function requireService(loaded: LoadedConfig, name: string): Service {
  const service = getService(loaded, name);
  if (service) return service;
  const known = loaded.config.services.map((s) => s.name).join(", ") || "none configured";
  throw new NotFoundError(`unknown service "${name}" (known: ${known})`, { service: name });
}

/**
 * Explicit targets when the service lists them for this environment; otherwise every manifest under
 * the environment path that references the image, or mentions it in text (so a templated file that
 * the editors cannot parse is reported as skipped rather than silently ignored).
 */
function findCandidates(snapshot: RepoSnapshot, env: Environment, service: Service): Candidate[] {
  const targets = service.targets[env.name];
  if (targets && targets.length > 0) {
    return targets.map((t) => {
      if (!snapshot.files.has(t.file)) throw new NotFoundError(`target file ${t.file} of service "${service.name}" in environment "${env.name}" does not exist`, { file: t.file });
      return { path: t.file, explicit: true, ...(t.fields ? { fields: t.fields } : {}) };
    });
  }
  const spellings = imageSpellings(service.image);
  const lastComponent = service.image.slice(service.image.lastIndexOf("/") + 1);
  return listFilesUnder(snapshot, env.path)
    .filter((path) => {
      if (!MANIFEST.test(path)) return false;
      const content = snapshot.files.get(path) ?? "";
      // Every spelling of a reference (whole, split into registry/repository, …) names the image's last path
      // component, so a file without it cannot reference the image: skip parsing it.
      if (!content.includes(lastComponent)) return false;
      if (findImageReferences(path, content).some((r) => isSameImage(r.image, service.image))) return true;
      return isTemplated(content) && spellings.some((s) => content.includes(s));
    })
    .map((path) => ({ path, explicit: false }));
}

/** How an image may be written: as configured, without Docker Hub prefixes, without the registry. */
function imageSpellings(image: string): string[] {
  const bare = image.replace(/^(docker\.io|index\.docker\.io)\//, "").replace(/^library\//, "");
  const withoutRegistry = bare.includes("/") && /[.:]|^localhost\//.test(bare.split("/")[0] ?? "") ? bare.slice(bare.indexOf("/") + 1) : bare;
  return [...new Set([image, bare, withoutRegistry])];
}

/** Template syntax (Helm/Go, shell): such files may not parse as YAML, so they are reported as skipped. */
function isTemplated(content: string): boolean {
  return content.includes("{{") || content.includes("${");
}

function toFileChange(path: string, before: string, result: EditResult): FileChange {
  return {
    path,
    before,
    after: result.content,
    patch: result.patch,
    editor: result.editor ?? "unknown",
    previousDigests: result.previousDigests,
    lines: result.changes.map((c) => ({ line: c.line, pointer: c.pointer, before: c.before, after: c.after })),
  };
}

function explain(status: PromotionPlan["status"], request: PromotionRequest, env: Environment, service: Service, unchanged: number, skipped: SkippedFile[]): string | undefined {
  const skippedNote = skipped.length > 0 ? ` Skipped: ${skipped.map((s) => `${s.path} (${s.reason})`).join("; ")}.` : "";
  const target = `sha256:${shortDigest(request.artifact.digest)}`;
  if (status === "already-promoted") return `${service.name} is already at ${target} in ${env.name} (${unchanged} ${unchanged === 1 ? "file" : "files"}); nothing to do.${skippedNote}`;
  if (status === "not-referenced") {
    const where = service.targets[env.name]?.length ? `the targets configured for ${env.name}` : `${env.path}/ (YAML and JSON files)`;
    return `no file in ${where} references ${service.image}; add a reference or configure targets.${env.name} on service ${service.name}.${skippedNote}`;
  }
  return skipped.length > 0 ? skippedNote.trim() : undefined;
}
