import { parseAllDocuments } from "yaml";

/** One metric of an Argo Rollouts AnalysisTemplate, as much of it as Stagegate uses. Strings are raw (args not yet substituted). */
export interface TemplateMetric {
  name: string;
  interval?: string;
  count?: number | string;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: number | string;
  inconclusiveLimit?: number | string;
  consecutiveErrorLimit?: number | string;
  prometheus?: { address?: string; query?: string };
}

/** A loaded template: its args (name → default value, undefined when it has none) and the chosen metric. */
export interface LoadedAnalysisTemplate {
  name?: string;
  args: Record<string, string | undefined>;
  metric: TemplateMetric;
}

/** The file is not a usable AnalysisTemplate; the message says why. */
export class AnalysisTemplateError extends Error {
  override name = "AnalysisTemplateError";
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const intOrString = (v: unknown): number | string | undefined => (typeof v === "number" || typeof v === "string" ? v : undefined);

/**
 * Reads an Argo Rollouts AnalysisTemplate (or ClusterAnalysisTemplate) from YAML text and picks the
 * metric named `metricName`, or the first. Only the prometheus provider is supported; other providers
 * are reported as an error naming the provider.
 */
export function loadAnalysisTemplate(text: string, metricName?: string): LoadedAnalysisTemplate {
  const documents = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(documents)) throw new AnalysisTemplateError("empty file");
  const templates = documents
    .map((doc) => {
      if (doc.errors.length > 0) throw new AnalysisTemplateError(`invalid YAML: ${doc.errors[0]!.message}`);
      return doc.toJS({ maxAliasCount: 100 }) as unknown;
    })
    .filter((d): d is Json => isObject(d) && (d["kind"] === "AnalysisTemplate" || d["kind"] === "ClusterAnalysisTemplate"));
  const template = templates[0];
  if (!template) throw new AnalysisTemplateError("no document of kind AnalysisTemplate or ClusterAnalysisTemplate");
  const spec = isObject(template["spec"]) ? template["spec"] : {};
  const metrics = Array.isArray(spec["metrics"]) ? spec["metrics"].filter(isObject) : [];
  if (metrics.length === 0) throw new AnalysisTemplateError("spec.metrics is empty");
  const raw = metricName === undefined ? metrics[0]! : metrics.find((m) => m["name"] === metricName);
  if (!raw) throw new AnalysisTemplateError(`no metric named "${metricName}" (has: ${metrics.map((m) => String(m["name"])).join(", ")})`);
  const provider = isObject(raw["provider"]) ? raw["provider"] : {};
  const prometheus = isObject(provider["prometheus"]) ? provider["prometheus"] : undefined;
  const others = Object.keys(provider).filter((k) => k !== "prometheus");
  if (!prometheus && others.length > 0) throw new AnalysisTemplateError(`metric "${String(raw["name"])}" uses the ${others.join(", ")} provider; Stagegate supports prometheus only`);
  const args: Record<string, string | undefined> = {};
  for (const arg of Array.isArray(spec["args"]) ? spec["args"].filter(isObject) : []) {
    const name = str(arg["name"]);
    if (name !== undefined) args[name] = arg["value"] === undefined ? undefined : String(arg["value"]);
  }
  const metadata = isObject(template["metadata"]) ? template["metadata"] : {};
  const metric: TemplateMetric = { name: str(raw["name"]) ?? "metric" };
  const fields = { interval: str(raw["interval"]), successCondition: str(raw["successCondition"]), failureCondition: str(raw["failureCondition"]) };
  const limits = { count: intOrString(raw["count"]), failureLimit: intOrString(raw["failureLimit"]), inconclusiveLimit: intOrString(raw["inconclusiveLimit"]), consecutiveErrorLimit: intOrString(raw["consecutiveErrorLimit"]) };
  for (const [k, v] of Object.entries({ ...fields, ...limits })) if (v !== undefined) Object.assign(metric, { [k]: v });
  if (prometheus) metric.prometheus = { address: str(prometheus["address"]), query: str(prometheus["query"]) };
  const name = str(metadata["name"]);
  return name === undefined ? { args, metric } : { name, args, metric };
}
