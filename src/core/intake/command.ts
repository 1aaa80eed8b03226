/**
 * `/stagegate promote <service> <digest|tag> to <env>` in issue and PR comments. Pure parsing: the
 * handler decides who may run it and resolves tags.
 */
import { digestSchema, nameSchema } from "../config/common.js";

export type PromoteCommand =
  | { ok: true; service: string; environment: string; ref: { kind: "digest"; digest: string } | { kind: "tag"; tag: string } }
  | { ok: false; error: string };

export const PROMOTE_USAGE = "usage: `/stagegate promote <service> <sha256:digest|tag> to <environment>`";

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Finds the first `/stagegate promote` line of a comment. Returns undefined when the comment holds no
 * Stagegate promote command (other comments and other /stagegate commands are not ours to answer here).
 */
export function parsePromoteCommand(body: string): PromoteCommand | undefined {
  const line = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^\/stagegate\s+promote(\s|$)/i.test(l));
  if (line === undefined) return undefined;
  const words = line.split(/\s+/).slice(2);
  if (words.length !== 4 || words[2]!.toLowerCase() !== "to") return { ok: false, error: PROMOTE_USAGE };
  const [service, ref, , environment] = words as [string, string, string, string];
  if (!nameSchema.safeParse(service).success) return { ok: false, error: `\`${service}\` is not a valid service name. ${PROMOTE_USAGE}` };
  if (!nameSchema.safeParse(environment).success) return { ok: false, error: `\`${environment}\` is not a valid environment name. ${PROMOTE_USAGE}` };
  if (ref.startsWith("sha256:")) {
    if (!digestSchema.safeParse(ref).success) return { ok: false, error: "a digest must be `sha256:` followed by 64 lowercase hex characters" };
    return { ok: true, service, environment, ref: { kind: "digest", digest: ref } };
  }
  if (!TAG.test(ref)) return { ok: false, error: `\`${ref}\` is neither a digest nor a valid tag. ${PROMOTE_USAGE}` };
  return { ok: true, service, environment, ref: { kind: "tag", tag: ref } };
}
