import type { PromotionRequest } from "../artifact.js";
import { renderTrailers, type Trailer } from "../evidence/trailers.js";
import { shortDigest } from "./branch.js";

/**
 * Titles, commit messages and trailers of promotion commits. The trailers are the audit trail:
 * `stagegate audit` and merge commits read them back with parsePromotionTrailers.
 */
export const TRAILER_KEYS = {
  service: "Stagegate-Service",
  environment: "Stagegate-Environment",
  kind: "Stagegate-Kind",
  image: "Stagegate-Image",
  tag: "Stagegate-Tag",
  previous: "Stagegate-Previous",
  source: "Stagegate-Source",
  from: "Stagegate-From",
} as const;

export interface MessageFile {
  path: string;
  editor: string;
  lines: number;
}

/** `promote checkout to prod-eu: sha256:abcdef123456 (v1.4.2)` or `rollback checkout in prod-eu to …`. */
export function renderTitle(request: PromotionRequest): string {
  const { artifact, environment, kind } = request;
  const target = `sha256:${shortDigest(artifact.digest)}${artifact.tag ? ` (${artifact.tag})` : ""}`;
  return kind === "rollback" ? `rollback ${artifact.service} in ${environment} to ${target}` : `promote ${artifact.service} to ${environment}: ${target}`;
}

/** The Stagegate trailers of a promotion commit, in a fixed order. */
export function promotionTrailers(request: PromotionRequest, previousDigests: readonly string[]): Trailer[] {
  const { artifact } = request;
  const out: Trailer[] = [
    { key: TRAILER_KEYS.service, value: artifact.service },
    { key: TRAILER_KEYS.environment, value: request.environment },
    { key: TRAILER_KEYS.kind, value: request.kind },
    { key: TRAILER_KEYS.image, value: `${artifact.image}@${artifact.digest}` },
  ];
  if (artifact.tag) out.push({ key: TRAILER_KEYS.tag, value: artifact.tag });
  for (const digest of previousDigests) out.push({ key: TRAILER_KEYS.previous, value: digest });
  if (artifact.source) out.push({ key: TRAILER_KEYS.source, value: `${artifact.source.repo}@${artifact.source.sha}` });
  if (request.from) out.push({ key: TRAILER_KEYS.from, value: request.from });
  return out;
}

/** Headline, a body saying what changed and from where, and the trailers. Ends with one newline. */
export function renderCommitMessage(request: PromotionRequest, files: readonly MessageFile[], previousDigests: readonly string[]): string {
  const { artifact } = request;
  const target = `${artifact.digest}${artifact.tag ? ` (${artifact.tag})` : ""}`;
  const replacing = previousDigests.length > 0 ? `, replacing ${previousDigests.map((d) => `sha256:${shortDigest(d)}`).join(", ")}` : "";
  const origin = request.from ? ` Promoted from ${request.from}.` : "";
  const what = `Set ${artifact.image} to ${target} in ${request.environment}${replacing}.${origin}`;
  const paragraphs = [renderTitle(request), what];
  if (request.reason) paragraphs.push(`Reason: ${request.reason.replace(/\s+/g, " ").trim()}`);
  if (request.requestedBy) paragraphs.push(`Requested by ${request.requestedBy.replace(/\s+/g, " ").trim()}.`);
  paragraphs.push(files.map((f) => `- ${f.path} (${f.editor}, ${f.lines} ${f.lines === 1 ? "line" : "lines"})`).join("\n"));
  paragraphs.push(renderTrailers(promotionTrailers(request, previousDigests)));
  return `${paragraphs.join("\n\n")}\n`;
}

/** The Stagegate facts a commit message carries, read back from its trailers. */
export interface PromotionTrailers {
  service: string;
  environment: string;
  kind: "promotion" | "rollback";
  image: string;
  digest: string;
  tag?: string;
  previous: string[];
  source?: { repo: string; sha: string };
  from?: string;
}

/**
 * Reads the Stagegate trailers of a commit message; undefined when the message is not a Stagegate
 * promotion (service, environment or image missing or malformed). Unknown kinds read as promotion.
 */
export function parsePromotionTrailers(trailers: readonly Trailer[]): PromotionTrailers | undefined {
  const last = (key: string) => trailers.filter((t) => t.key.toLowerCase() === key.toLowerCase()).at(-1)?.value;
  const all = (key: string) => trailers.filter((t) => t.key.toLowerCase() === key.toLowerCase()).map((t) => t.value);
  const service = last(TRAILER_KEYS.service);
  const environment = last(TRAILER_KEYS.environment);
  const image = /^(.+)@(sha256:[a-f0-9]{64})$/.exec(last(TRAILER_KEYS.image) ?? "");
  if (!service || !environment || !image?.[1] || !image[2]) return undefined;
  const out: PromotionTrailers = {
    service,
    environment,
    kind: last(TRAILER_KEYS.kind) === "rollback" ? "rollback" : "promotion",
    image: image[1],
    digest: image[2],
    previous: all(TRAILER_KEYS.previous),
  };
  const tag = last(TRAILER_KEYS.tag);
  if (tag) out.tag = tag;
  const source = /^([^@\s]+)@([a-f0-9]{40})$/.exec(last(TRAILER_KEYS.source) ?? "");
  if (source?.[1] && source[2]) out.source = { repo: source[1], sha: source[2] };
  const from = last(TRAILER_KEYS.from);
  if (from) out.from = from;
  return out;
}
