import { Ajv } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { NOTIFICATION_EVENTS } from "../../../src/core/config/policy-schema.js";
import { renderSlack, renderTeams, renderWebhook, selectChannels, type NotificationChannel, type NotificationEvent } from "../../../src/core/notify/index.js";
import { slackMessageSchema, teamsMessageSchema } from "./schemas.js";

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: true, strictRequired: false }));
const validSlack = ajv.compile(slackMessageSchema);
const validTeams = ajv.compile(teamsMessageSchema);

export const EVENT: NotificationEvent = {
  event: "gate-failed",
  at: "2024-06-03T10:00:00.000Z",
  repository: "acme/environments",
  service: "checkout",
  environment: "prod-eu",
  digest: `sha256:${"ab".repeat(32)}`,
  tag: "v1.4.0",
  source: { repo: "acme/checkout", sha: "c0ffee".padEnd(40, "0"), url: `https://github.com/acme/checkout/commit/${"c0ffee".padEnd(40, "0")}` },
  pullRequest: { number: 42, url: "https://github.com/acme/environments/pull/42" },
  summary: "vulnerabilities: over the limit: 2 critical (max 0) <script>&",
  mustAct: ["acme/sre", "@alice"],
  gate: "vulnerabilities",
};

describe("renderers", () => {
  it.each(NOTIFICATION_EVENTS)("%s: Slack Block Kit and Teams Adaptive Card match the documented shapes", (event) => {
    const slack = renderSlack({ ...EVENT, event });
    expect(validSlack(slack), JSON.stringify(validSlack.errors)).toBe(true);
    const teams = renderTeams({ ...EVENT, event });
    expect(validTeams(teams), JSON.stringify(validTeams.errors)).toBe(true);
  });

  it("Slack: headline and escaped summary, the promotion context as fields, a button to the PR", () => {
    const slack = renderSlack(EVENT) as { text: string; blocks: { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { url?: string }[] }[] };
    expect(slack.blocks.map((b) => b.type)).toEqual(["section", "section", "context", "actions"]);
    expect(slack.blocks[0]!.text!.text).toBe("*Gate failed: checkout → prod-eu*\nvulnerabilities: over the limit: 2 critical (max 0) &lt;script&gt;&amp;");
    expect(slack.blocks[1]!.fields!.map((f) => f.text)).toEqual([
      "*Service:* checkout",
      "*Environment:* prod-eu",
      "*Digest:* sha256:abababababab (v1.4.0)",
      `*Source:* <https://github.com/acme/checkout/commit/${"c0ffee".padEnd(40, "0")}|acme/checkout@c0ffee000000>`,
      "*Pull request:* <https://github.com/acme/environments/pull/42|#42>",
      "*Gate:* vulnerabilities",
      "*Must act:* @acme/sre, @alice",
    ]);
    expect(slack.blocks[3]!.elements![0]!.url).toBe("https://github.com/acme/environments/pull/42");
  });

  it("Teams: attention colour on failures, facts, an Action.OpenUrl; no actions without a PR link", () => {
    const teams = renderTeams(EVENT) as { attachments: { content: { body: { color?: string; facts?: { title: string; value: string }[] }[]; actions?: unknown[] } }[] };
    const card = teams.attachments[0]!.content;
    expect(card.body[0]!.color).toBe("Attention");
    expect(card.body[2]!.facts).toContainEqual({ title: "Pull request", value: "[#42](https://github.com/acme/environments/pull/42)" });
    expect(card.actions).toEqual([{ type: "Action.OpenUrl", title: "Open #42", url: "https://github.com/acme/environments/pull/42" }]);
    const { pullRequest: _pr, ...noPr } = EVENT;
    const bare = renderTeams({ ...noPr, event: "deployed" });
    expect(validTeams(bare)).toBe(true);
    expect((bare as { attachments: { content: { actions?: unknown } }[] }).attachments[0]!.content.actions).toBeUndefined();
  });

  it("generic webhook: a versioned copy of the event", () => {
    expect(renderWebhook(EVENT)).toEqual({ version: 1, ...EVENT });
  });

  it("the schemas refuse what Slack and Teams refuse", () => {
    expect(validSlack({ blocks: [{ type: "section", fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn", text: "x" })) }] })).toBe(false);
    expect(validSlack({ blocks: [{ type: "actions", elements: [{ type: "button", text: { type: "mrkdwn", text: "x" } }] }] })).toBe(false);
    expect(validTeams({ type: "message", attachments: [{ contentType: "application/json", contentUrl: null, content: { type: "AdaptiveCard", version: "1.4", body: [] } }] })).toBe(false);
    expect(validTeams({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: { type: "AdaptiveCard", version: "1.4", body: [{ type: "TextBlock" }] } }] })).toBe(false);
  });

  it("long summaries stay within Slack's limits", () => {
    expect(validSlack(renderSlack({ ...EVENT, summary: "x".repeat(10_000) }))).toBe(true);
  });
});

describe("selectChannels", () => {
  const channels: NotificationChannel[] = [
    { channel: "slack", urlFromEnv: "SLACK_URL", events: ["gate-failed", "merged"] },
    { channel: "teams", urlFromEnv: "TEAMS_URL", events: ["gate-failed"], environments: ["prod-us"] },
    { channel: "webhook", urlFromEnv: "HOOK_URL", secretFromEnv: "HOOK_SECRET", events: ["deployed"] },
  ];
  it("keeps channels that want the event for the environment", () => {
    expect(selectChannels(channels, { event: "gate-failed", environment: "prod-eu" }).map((c) => c.channel)).toEqual(["slack"]);
    expect(selectChannels(channels, { event: "gate-failed", environment: "prod-us" }).map((c) => c.channel)).toEqual(["slack", "teams"]);
    expect(selectChannels(channels, { event: "rolled-back", environment: "prod-us" })).toEqual([]);
  });
});
