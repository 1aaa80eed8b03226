/**
 * Minimal JSON Schemas of what Slack and Microsoft Teams accept, written from their documentation:
 * - Slack Block Kit (https://api.slack.com/reference/block-kit/blocks): at most 50 blocks; section
 *   `text` ≤ 3000 chars, `fields` ≤ 10 items of ≤ 2000 chars, one of them required; context ≤ 10
 *   elements; actions ≤ 25 elements; button `text` is plain_text ≤ 75 chars, `url` ≤ 3000,
 *   `action_id` ≤ 255; text objects are `plain_text` or `mrkdwn`.
 * - Teams incoming webhook (learn.microsoft.com …/add-incoming-webhook, "Send Adaptive Cards"): a
 *   `message` whose attachments have `contentType: application/vnd.microsoft.card.adaptive`,
 *   `contentUrl: null` and `content` an AdaptiveCard (adaptivecards.io schema): `type`, `version`,
 *   `body` elements with a `type`; TextBlock needs `text`; FactSet needs `facts` of {title, value};
 *   Action.OpenUrl needs `url`.
 * Only the parts Stagegate emits are described; unknown block types are refused so a new one gets a schema.
 */
const text = (max: number) => ({ type: "object", required: ["type", "text"], properties: { type: { enum: ["plain_text", "mrkdwn"] }, text: { type: "string", minLength: 1, maxLength: max }, emoji: { type: "boolean" }, verbatim: { type: "boolean" } }, additionalProperties: false });
const plain = (max: number) => ({ ...text(max), properties: { ...text(max).properties, type: { const: "plain_text" } } });

export const slackMessageSchema = {
  type: "object",
  required: ["blocks"],
  properties: {
    text: { type: "string", maxLength: 40000 },
    blocks: {
      type: "array",
      minItems: 1,
      maxItems: 50,
      items: {
        oneOf: [
          { type: "object", required: ["type"], properties: { type: { const: "section" }, block_id: { type: "string", maxLength: 255 }, text: text(3000), fields: { type: "array", minItems: 1, maxItems: 10, items: text(2000) } }, anyOf: [{ required: ["text"] }, { required: ["fields"] }], additionalProperties: false },
          { type: "object", required: ["type", "elements"], properties: { type: { const: "context" }, block_id: { type: "string", maxLength: 255 }, elements: { type: "array", minItems: 1, maxItems: 10, items: text(3000) } }, additionalProperties: false },
          {
            type: "object",
            required: ["type", "elements"],
            properties: {
              type: { const: "actions" },
              block_id: { type: "string", maxLength: 255 },
              elements: { type: "array", minItems: 1, maxItems: 25, items: { type: "object", required: ["type", "text"], properties: { type: { const: "button" }, text: plain(75), url: { type: "string", format: "uri", maxLength: 3000 }, action_id: { type: "string", maxLength: 255 }, value: { type: "string", maxLength: 2000 }, style: { enum: ["primary", "danger"] } }, additionalProperties: false } },
            },
            additionalProperties: false,
          },
        ],
      },
    },
  },
} as const;

const cardElement = {
  oneOf: [
    { type: "object", required: ["type", "text"], properties: { type: { const: "TextBlock" }, text: { type: "string" }, wrap: { type: "boolean" }, weight: { enum: ["Default", "Lighter", "Bolder"] }, size: { enum: ["Default", "Small", "Medium", "Large", "ExtraLarge"] }, color: { enum: ["Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"] }, isSubtle: { type: "boolean" } }, additionalProperties: false },
    { type: "object", required: ["type", "facts"], properties: { type: { const: "FactSet" }, facts: { type: "array", items: { type: "object", required: ["title", "value"], properties: { title: { type: "string" }, value: { type: "string" } }, additionalProperties: false } } }, additionalProperties: false },
  ],
};

export const teamsMessageSchema = {
  type: "object",
  required: ["type", "attachments"],
  properties: {
    type: { const: "message" },
    attachments: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["contentType", "content"],
        properties: {
          contentType: { const: "application/vnd.microsoft.card.adaptive" },
          contentUrl: { type: "null" },
          content: {
            type: "object",
            required: ["type", "version", "body"],
            properties: {
              $schema: { type: "string" },
              type: { const: "AdaptiveCard" },
              version: { type: "string", pattern: "^1\\.[0-6]$" },
              body: { type: "array", items: cardElement },
              actions: { type: "array", items: { type: "object", required: ["type", "url"], properties: { type: { const: "Action.OpenUrl" }, title: { type: "string" }, url: { type: "string", format: "uri" } }, additionalProperties: false } },
            },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;
