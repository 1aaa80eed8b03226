import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../../../bin/stagegate.js", import.meta.url));

describe("stagegate serve", () => {
  it("exits 1 naming every missing or invalid variable", () => {
    const result = spawnSync(process.execPath, [bin, "serve"], {
      env: { PATH: process.env.PATH ?? "", WEBHOOK_SECRET: "short", PORT: "http" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("APP_ID: APP_ID is required");
    expect(result.stderr).toContain("WEBHOOK_SECRET: WEBHOOK_SECRET must be at least 16 characters");
    expect(result.stderr).toContain("PORT:");
    expect(result.stderr).toContain("PRIVATE_KEY or PRIVATE_KEY_PATH is required");
  });
});
