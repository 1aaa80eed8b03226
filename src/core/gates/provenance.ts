import { checkAttestation, type ProvenanceCheck } from "../provenance/check.js";
import { gateName, result, type GateEvaluator } from "./types.js";

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * `provenance`: among the attestations the adapter fetched for the digest and verified with Sigstore,
 * one satisfies the policy (repository, workflow, ref, predicate type, issuer, signer). Fails closed:
 * no facts, a listing error, no attestation or none that verifies and matches is a failure with reasons.
 */
export const evaluateProvenance: GateEvaluator<"provenance"> = (spec, facts, ctx) => {
  const collected = facts.provenance?.[gateName(spec)];
  const expected = `${spec.repository}${spec.workflow ? ` ${spec.workflow}` : ""}`;
  if (!collected) {
    return result(spec, { conclusion: "failure", summary: "attestations were not collected", details: "Stagegate has no attestation verifier configured for this deployment (see docs/provenance.md), so the build provenance of the artifact cannot be checked." });
  }
  if (collected.error !== undefined) {
    return result(spec, { conclusion: "failure", summary: `could not list attestations: ${collected.error}`, details: `GET /repos/${spec.repository}/attestations/${ctx.digest} failed: ${collected.error}` });
  }
  if (collected.attestations.length === 0) {
    return result(spec, { conclusion: "failure", summary: `no attestation for this digest in ${spec.repository}`, details: `${spec.repository} has no artifact attestation for \`${ctx.digest}\`. Attest the build (actions/attest-build-provenance) in ${spec.workflow ?? "the release workflow"}.` });
  }
  const checks: (ProvenanceCheck & { url?: string })[] = collected.attestations.map((a) => {
    const url = a.bundleUrl !== undefined ? { url: a.bundleUrl } : {};
    if (!a.verified) return { ok: false, reasons: [`signature verification failed: ${a.error ?? "unknown error"}`], facts: {}, ...url };
    return { ...checkAttestation(a.verified, spec, ctx.digest, facts.sourceCommit?.sha), ...url };
  });
  const passed = checks.find((c) => c.ok);
  const rows = checks.map((c, i) => `| ${i + 1} | ${c.ok ? "✅" : "❌"} | ${cell(c.facts.repository ?? "")} | ${cell(c.facts.workflow ?? "")} | ${cell(c.facts.ref ?? "")} | ${cell(c.ok ? "" : c.reasons.join("; "))} |`);
  const details = [`Attestations of \`${ctx.digest}\` in ${spec.repository} (fetched ${collected.fetchedAt}):`, "", "| # | | repository | workflow | ref | why not |", "|---|---|---|---|---|---|", ...rows].join("\n");
  if (passed) {
    const f = passed.facts;
    return result(spec, { conclusion: "success", summary: `built by ${f.repository} ${f.workflow ?? ""} on ${f.ref ?? "?"} at ${f.commit?.slice(0, 12) ?? "?"}`.replace(/\s+/g, " "), details, evidence: { ...f, ...(passed.url ? { bundleUrl: passed.url } : {}) } });
  }
  const first = checks[0]!.reasons[0] ?? "no attestation satisfies the policy";
  return result(spec, { conclusion: "failure", summary: `no valid attestation from ${expected}: ${first}`, details, evidence: { attestations: checks.map((c) => ({ ...c.facts, reasons: c.reasons })) } });
};
