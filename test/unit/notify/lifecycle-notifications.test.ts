// The lifecycle services emit notifications at the right moments, once, through the Notifier port.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { initLocalRepo } from "../../../src/adapters/git/local-adapter.js";
import { toLifecycleDeps } from "../../../src/adapters/git/local-lifecycle.js";
import type { NotificationChannel, NotificationEvent } from "../../../src/core/notify/index.js";
import type { Notifier } from "../../../src/core/ports/notifier.js";
import { evaluatePromotion } from "../../../src/services/evaluate-promotion.js";
import { promote } from "../../../src/services/promote.js";
import { tick } from "../../../src/services/tick.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const kustomization = (digest: string) => `kind: Kustomization\nimages:\n  - name: ghcr.io/acme/api\n    digest: ${digest}\n`;
const ALL = "[opened, awaiting-approval, sla-breached, gate-failed, merged, deployed, verification-failed, rolled-back, override-used]";
const FILES = new Map([
  ["stagegate.yaml", "version: 1\nenvironments:\n  - { name: dev, path: envs/dev, policy: auto }\n  - { name: prod, path: envs/prod, from: [dev], policy: prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n"],
  ["policies/auto.yaml", `version: 1\nmerge: { mode: auto }\nnotifications:\n  - { channel: slack, urlFromEnv: SLACK_URL, events: ${ALL} }\n`],
  ["policies/prod.yaml", `version: 1\ngates:\n  - gate: approvals\n    users: [rita, dana]\n  - gate: vulnerabilities\n    max: { critical: 0 }\nmerge: { mode: manual }\nnotifications:\n  - { channel: webhook, urlFromEnv: HOOK_URL, secretFromEnv: HOOK_SECRET, events: ${ALL}, environments: [prod] }\n`],
  ["envs/dev/kustomization.yaml", kustomization(D("0"))],
  ["envs/prod/kustomization.yaml", kustomization(D("0"))],
]);

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

it("merged and deployed in dev; awaiting-approval and gate-failed in prod, each once, with the promotion context", async () => {
  const dir = await mkdtemp(join(tmpdir(), "stagegate-notify-"));
  dirs.push(dir);
  let t = Date.parse("2026-03-02T10:00:00Z");
  const adapter = await initLocalRepo(dir, FILES, { clock: { now: () => new Date(t) } });
  const sent: { event: NotificationEvent; channels: string[] }[] = [];
  const notifier: Notifier = { notify: (event, channels: readonly NotificationChannel[]) => void sent.push({ event, channels: channels.map((c) => c.channel) }) };
  const deps = { ...toLifecycleDeps(adapter), notifier };
  const artifact = (digest: string) => ({ service: "api", image: "ghcr.io/acme/api", digest, source: { repo: "acme/api", sha: "a".repeat(40), author: "dana" } });

  const dev = await promote({ repo: deps.repo }, { artifact: artifact(D("1")), environment: "dev", requestedBy: "dana" });
  t += 60_000;
  await tick(deps);
  // mergePromotion records the deployment itself, so "deployed" is queued before "merged".
  expect(sent.map((s) => [s.event.event, s.event.environment, s.channels.join()])).toEqual([
    ["deployed", "dev", "slack"],
    ["merged", "dev", "slack"],
  ]);
  expect(sent[1]!.event).toMatchObject({ service: "api", digest: D("1"), source: { repo: "acme/api", sha: "a".repeat(40) }, pullRequest: { number: dev.pr!.number }, actor: "stagegate" });

  sent.length = 0;
  const prod = await promote({ repo: deps.repo }, { artifact: artifact(D("1")), environment: "prod", requestedBy: "dana" });
  await evaluatePromotion(deps, prod.pr!.number);
  await evaluatePromotion(deps, prod.pr!.number);
  expect(sent.map((s) => [s.event.event, s.event.gate, s.channels.join()])).toEqual([
    ["gate-failed", "vulnerabilities", "webhook"],
    ["awaiting-approval", "approvals", "webhook"],
  ]);
  expect(sent[1]!.event.mustAct).toEqual(["rita", "dana"]);
  expect(sent[0]!.event.summary).toMatch(/^vulnerabilities: no vulnerability data/);
});

it("without a notifier nothing changes (local mode default)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "stagegate-notify-"));
  dirs.push(dir);
  const adapter = await initLocalRepo(dir, FILES, { clock: { now: () => new Date("2026-03-02T10:00:00Z") } });
  const deps = toLifecycleDeps(adapter);
  const prod = await promote({ repo: deps.repo }, { artifact: artifact2(), environment: "prod" });
  await expect(evaluatePromotion(deps, prod.pr!.number)).resolves.toMatchObject({ status: "evaluated" });
});

function artifact2() {
  return { service: "api", image: "ghcr.io/acme/api", digest: D("2") };
}
