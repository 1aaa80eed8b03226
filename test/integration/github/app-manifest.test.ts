import { readFileSync } from "node:fs";
import { emitterEventNames } from "@octokit/webhooks";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

const manifest = parse(readFileSync(new URL("../../../app.yml", import.meta.url), "utf8")) as { default_events: string[]; default_permissions: Record<string, string> };
const docs = readFileSync(new URL("../../../docs/github-app.md", import.meta.url), "utf8");

describe("app.yml", () => {
  it("subscribes only to real webhook events, each explained in docs/github-app.md", () => {
    for (const event of manifest.default_events) {
      expect(emitterEventNames, event).toContain(event);
      expect(docs, event).toContain(`\`${event}\``);
    }
    // Delivered to every App; GitHub refuses it in default_events.
    expect(manifest.default_events).not.toContain("installation");
  });

  it("requests least privilege, each permission explained, administration not requested", () => {
    expect(manifest.default_permissions).toEqual({
      contents: "write",
      pull_requests: "write",
      checks: "write",
      deployments: "write",
      statuses: "read",
      issues: "write",
      metadata: "read",
      members: "read",
      packages: "read",
      attestations: "read",
      security_events: "read",
    });
    for (const permission of Object.keys(manifest.default_permissions)) expect(docs, permission).toContain(`\`${permission}\``);
    expect(docs).toContain("`administration: write`");
  });
});
