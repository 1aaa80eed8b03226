// Every intake path of the app (registry_package, repository_dispatch, the HTTP intake, `/stagegate
// promote`) sends `opened` for the promotion PR it opens, to the channels of the environment's policy,
// once: a repeated intake that finds the PR open, and environments whose policy does not ask, stay quiet.
import { describe, expect, it } from "vitest";
import type { NotificationChannel, NotificationEvent } from "../../../src/core/notify/index.js";
import type { Notifier } from "../../../src/core/ports/notifier.js";
import { DIGEST_A, environmentsRepoFiles, SOURCE_SHA } from "../../support/github/fixtures.js";
import { createWorld, INSTALLATION_ID, loadStagegateApp, useFakeGitHub } from "../../support/github/harness.js";
import { postIntake, useHttpHandlers } from "../../support/github/http-app.js";
import { issueComment, registryPackagePublished, repositoryDispatch } from "../../support/github/webhooks.js";

const fakeGitHub = useFakeGitHub();
const serve = useHttpHandlers();
const SECRET = "s".repeat(40);
const NOW = Date.parse("2026-03-01T12:00:00Z");

/** The fixture world with notifications in dev's policy (Slack: opened) and none in staging's. */
function world(devEvents = "[opened, merged]") {
  const files = environmentsRepoFiles();
  files["policies/dev.yaml"] += `notifications:\n  - { channel: slack, urlFromEnv: SLACK_URL, events: ${devEvents} }\n`;
  return createWorld(files);
}

async function app() {
  const sent: { event: NotificationEvent; channels: NotificationChannel[] }[] = [];
  const notifier: Notifier = { notify: (event, channels) => void sent.push({ event, channels: [...channels] }) };
  const loaded = await loadStagegateApp({ notifier, intakeSecret: SECRET, now: () => NOW });
  return { ...loaded, sent };
}

describe("`opened` from the intake paths", () => {
  it("registry_package: the new image's PR into dev, with digest, tag, who published and the repository; once", async () => {
    const fake = fakeGitHub(world());
    const { probot, sent } = await app();
    const payload = registryPackagePublished({ owner: "acme", name: "checkout", digest: DIGEST_A, tag: "1.1.0", installationId: INSTALLATION_ID });
    await probot.receive({ id: "delivery-1", name: "registry_package", payload } as never);
    const [pull] = fake.repo("acme/environments").openPulls();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.channels).toEqual([{ channel: "slack", urlFromEnv: "SLACK_URL", events: ["opened", "merged"] }]);
    expect(sent[0]!.event).toEqual({
      event: "opened",
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      repository: "acme/environments",
      service: "checkout",
      environment: "dev",
      digest: DIGEST_A,
      tag: "1.1.0",
      pullRequest: { number: pull!.number, url: `https://github.com/acme/environments/pull/${pull!.number}` },
      summary: "new artifact 1.1.0; promotion PR opened",
      actor: (payload as { sender: { login: string } }).sender.login,
    });

    // The same image published again (a redelivery): the PR exists, nothing is sent.
    await probot.receive({ id: "delivery-2", name: "registry_package", payload } as never);
    expect(fake.repo("acme/environments").openPulls()).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  it("repository_dispatch: the source commit is linked on the PR's forge", async () => {
    fakeGitHub(world());
    const { probot, sent } = await app();
    const clientPayload = { service: "checkout", image: "ghcr.io/acme/checkout", digest: DIGEST_A, source: { repo: "acme/checkout", sha: SOURCE_SHA } };
    await probot.receive({ id: "delivery-1", name: "repository_dispatch", payload: repositoryDispatch("acme/checkout", INSTALLATION_ID, clientPayload) } as never);
    expect(sent.map((s) => s.event.event)).toEqual(["opened"]);
    expect(sent[0]!.event.source).toEqual({ repo: "acme/checkout", sha: SOURCE_SHA, url: `https://github.com/acme/checkout/commit/${SOURCE_SHA}` });
    expect(sent[0]!.event.summary).toBe(`new artifact from acme/checkout@${SOURCE_SHA.slice(0, 7)}; promotion PR opened`);
  });

  it("the HTTP intake sends it for an accepted request", async () => {
    fakeGitHub(world());
    const { handlers, sent } = await app();
    const raw = JSON.stringify({ repository: "acme/environments", service: "checkout", digest: DIGEST_A, tag: "1.1.0" });
    const response = await postIntake(await serve(handlers), SECRET, raw, { timestamp: Math.floor(NOW / 1000) });
    expect(response.status).toBe(202);
    expect(sent.map((s) => [s.event.event, s.event.environment, s.event.tag])).toEqual([["opened", "dev", "1.1.0"]]);
  });

  it("/stagegate promote: the promoter is the actor; a policy without notifications (staging) sends nothing", async () => {
    const fake = fakeGitHub(world());
    const { probot, sent } = await app();
    await probot.receive({ id: "delivery-1", name: "issue_comment", payload: issueComment("acme/environments", INSTALLATION_ID, `/stagegate promote checkout ${DIGEST_A} to dev`) } as never);
    expect(sent.map((s) => [s.event.event, s.event.environment, s.event.actor])).toEqual([["opened", "dev", "alice"]]);
    await probot.receive({ id: "delivery-2", name: "issue_comment", payload: issueComment("acme/environments", INSTALLATION_ID, `/stagegate promote checkout ${DIGEST_A} to staging`, "rita") } as never);
    expect(fake.repo("acme/environments").openPulls().map((p) => p.head)).toEqual(["stagegate/dev/checkout/aaaaaaaaaaaa", "stagegate/staging/checkout/aaaaaaaaaaaa"]);
    expect(sent).toHaveLength(1);
  });

  it("a policy that does not list `opened` gets nothing", async () => {
    const fake = fakeGitHub(world("[merged]"));
    const { probot, sent } = await app();
    await probot.receive({ id: "delivery-1", name: "registry_package", payload: registryPackagePublished({ owner: "acme", name: "checkout", digest: DIGEST_A, installationId: INSTALLATION_ID }) } as never);
    expect(fake.repo("acme/environments").openPulls()).toHaveLength(1);
    expect(sent).toEqual([]);
  });
});
