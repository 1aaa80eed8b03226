/**
 * Webhook payloads for handler tests: real examples from `@octokit/webhooks-examples` where GitHub
 * documents the event, and hand-written fixtures (registry_package) checked against the webhook schemas
 * of `@octokit/openapi-webhooks`, so a handler is never fed a payload GitHub would not send.
 */
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import type { ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples") as { name: string; examples: Record<string, unknown>[] }[];
const webhookSchemas = require("@octokit/openapi-webhooks/generated/api.github.com.json") as object;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** Violations of `payload` against the schema `webhook-<name>` (e.g. `registry-package-published`). */
export function checkWebhookPayload(schemaName: string, payload: unknown): string[] {
  if (!ajv) {
    ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
    ajv.addSchema(webhookSchemas, "webhooks");
  }
  let validate = validators.get(schemaName);
  if (!validate) {
    validate = ajv.compile({ $ref: `webhooks#/components/schemas/webhook-${schemaName}` });
    validators.set(schemaName, validate);
  }
  return validate(payload) ? [] : (validate.errors ?? []).map((e) => `${schemaName}${e.instancePath} ${e.message ?? "invalid"}`);
}

/** A deep copy of the first documented example of an event matching `predicate`. */
export function getExample<T = Record<string, unknown>>(event: string, predicate: (example: Record<string, unknown>) => boolean = () => true): T {
  const found = examples.find((e) => e.name === event)?.examples.find(predicate);
  if (!found) throw new Error(`no @octokit/webhooks-examples example for ${event}`);
  return structuredClone(found) as T;
}

type WithRepo = { repository?: { name: string; full_name: string; owner: { login: string }; default_branch?: string } | null; installation?: { id: number; node_id: string } };

/** Re-targets an example at `owner/name` and an installation. */
export function retarget<T extends WithRepo>(payload: T, fullName: string, installationId: number): T {
  const [owner, name] = fullName.split("/") as [string, string];
  if (payload.repository) Object.assign(payload.repository, { name, full_name: fullName, default_branch: "main", owner: { ...payload.repository.owner, login: owner } });
  payload.installation = { id: installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  return payload;
}

/** repository_dispatch (real example) carrying `clientPayload`. */
export function repositoryDispatch(fullName: string, installationId: number, clientPayload: unknown, eventType = "stagegate.artifact"): Record<string, unknown> {
  const payload = retarget(getExample<WithRepo & Record<string, unknown>>("repository_dispatch"), fullName, installationId);
  return Object.assign(payload, { action: eventType, client_payload: clientPayload, branch: "main" });
}

/** issue_comment.created (real example) with `body` by `login`. */
export function issueComment(fullName: string, installationId: number, body: string, login = "alice", senderType = "User"): Record<string, unknown> {
  const payload = retarget(getExample<WithRepo & Record<string, unknown>>("issue_comment", (e) => e.action === "created"), fullName, installationId) as WithRepo & {
    comment: { id: number; body: string; user: { login: string } };
    sender: { login: string; type: string };
    issue: { number: number };
  };
  payload.comment.body = body;
  payload.comment.user.login = login;
  payload.sender.login = login;
  payload.sender.type = senderType;
  return payload as unknown as Record<string, unknown>;
}

const owner = (login: string, type: "Organization" | "User" = "Organization") => ({
  login,
  id: 6811672,
  node_id: "MDEyOk9yZ2FuaXphdGlvbjY4MTE2NzI=",
  avatar_url: "https://avatars.githubusercontent.com/u/6811672?v=4",
  gravatar_id: "",
  url: `https://api.github.com/users/${login}`,
  html_url: `https://github.com/${login}`,
  followers_url: `https://api.github.com/users/${login}/followers`,
  following_url: `https://api.github.com/users/${login}/following{/other_user}`,
  gists_url: `https://api.github.com/users/${login}/gists{/gist_id}`,
  starred_url: `https://api.github.com/users/${login}/starred{/owner}{/repo}`,
  subscriptions_url: `https://api.github.com/users/${login}/subscriptions`,
  organizations_url: `https://api.github.com/users/${login}/orgs`,
  repos_url: `https://api.github.com/users/${login}/repos`,
  events_url: `https://api.github.com/users/${login}/events{/privacy}`,
  received_events_url: `https://api.github.com/users/${login}/received_events`,
  type,
  site_admin: false,
});

/**
 * registry_package.published for a GHCR container version (hand-written: webhooks-examples has none).
 * The repository is taken from a real example so it satisfies the schema.
 */
export function registryPackagePublished(input: { owner: string; name: string; digest: string; tag?: string; repository?: string; installationId: number; packageType?: string }): Record<string, unknown> {
  const repository = retarget(getExample<WithRepo>("repository_dispatch"), input.repository ?? `${input.owner}/${input.name}`, input.installationId).repository;
  // The example predates fields the current webhook schema requires; bring it up to date.
  Object.assign(repository!, { disabled: false, homepage: null });
  const packageUrl = `ghcr.io/${input.owner}/${input.name}${input.tag ? `:${input.tag}` : ""}`;
  return {
    action: "published",
    registry_package: {
      id: 1234567,
      name: input.name,
      namespace: input.owner,
      description: null,
      ecosystem: "CONTAINER",
      package_type: input.packageType ?? "CONTAINER",
      html_url: `https://github.com/orgs/${input.owner}/packages/container/package/${input.name}`,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-01T00:00:00Z",
      owner: owner(input.owner),
      package_version: {
        id: 7654321,
        version: input.digest,
        name: input.digest,
        description: "",
        summary: "",
        html_url: `https://github.com/orgs/${input.owner}/packages/container/${input.name}/7654321`,
        metadata: [],
        container_metadata: { tag: { name: input.tag ?? "", digest: input.digest }, labels: {}, manifest: {} },
        package_files: [],
        installation_command: `docker pull ${packageUrl}`,
        package_url: packageUrl,
      },
      registry: { about_url: "https://github.com", name: "GitHub CONTAINER registry", type: "CONTAINER", url: `https://ghcr.io/${input.owner}`, vendor: "GitHub Inc" },
    },
    repository,
    sender: owner("build-bot", "User"),
    installation: { id: input.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" },
  };
}
