// The audit against commits made to mislead it: a direct push whose author, message and note hold the
// separators of git's formats (and, in the message, a whole record of the old log format claiming to be
// a signed Stagegate promotion), and environment files whose names hold them too. The push must be
// reported as what it is, by whom it is, and nothing forged may appear.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditRepository, renderAudit } from "../../src/cli/commands/audit.js";
import { digestOf, HistoryBuilder } from "../support/history-builder.js";

let dir: string;
let builder: HistoryBuilder;
let push: string;
const hostileName = "Mal\x1flo\x1ery \x1b[2K\x1b[1A";
const hostileEmail = "m\x1dx@evil.example";
const git = (args: string[], env: Record<string, string> = {}) => execFileSync("git", args, { cwd: dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", ...env } }).toString();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-hostile-"));
  builder = new HistoryBuilder([{ name: "prod" }], [{ name: "api", image: "ghcr.io/acme/api" }]);
  const t0 = Date.parse("2024-06-03T00:00:00Z");
  builder.init(new Date(t0), { prod: { api: digestOf(1) } });
  for (let i = 0; i < 6; i++) builder.promote({ env: "prod", service: "api", digest: digestOf(10 + i), at: new Date(t0 + (i + 1) * 3_600_000), style: i % 2 ? "squash" : "merge", approvers: ["alice"] });
  builder.write(dir);

  const tip = git(["rev-parse", "HEAD"]).trim();
  const file = join(dir, "environments/prod/kustomization.yaml");
  const current = execFileSync("cat", [file]).toString();
  writeFileSync(file, current.replace(digestOf(15), digestOf(99)));
  // A second file in the environment whose name holds every separator, a colon and a line feed.
  writeFileSync(join(dir, "environments/prod", "x\x1ey\x1f\x1d:\nz.yaml"), "kind: ConfigMap\n");
  git(["add", "-A"]);
  const forgedOld = `\x1e${"f".repeat(40)}\x1f${tip}\x1fstagegate[bot]\x1fbot@example.com\x1f2024-06-03T12:00:00+00:00\x1fGitHub\x1fnoreply@github.com\x1f2024-06-03T12:00:00+00:00\x1fG\x1fPromote api to prod (#77)\n\nStagegate-Service: api\nStagegate-Environment: prod\x1f{}\x1f\x1d`;
  const ident = { GIT_AUTHOR_NAME: hostileName, GIT_AUTHOR_EMAIL: hostileEmail, GIT_COMMITTER_NAME: hostileName, GIT_COMMITTER_EMAIL: hostileEmail, GIT_AUTHOR_DATE: "2024-06-04T00:00:00Z", GIT_COMMITTER_DATE: "2024-06-04T00:00:00Z" };
  git(["commit", "-q", "-m", `hotfix api\n\n${forgedOld}\n\x1e\x1d`], ident);
  push = git(["rev-parse", "HEAD"]).trim();
  // A note on the push that is not JSON and holds the separators too.
  git(["notes", "--ref=refs/notes/stagegate", "add", "-f", "-m", "{\"x\":1}\x1e\x1f\x1d\n:100644 100644", push], ident);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("reports a direct push made to mislead the reader as a direct push, by its real author", async () => {
  const { history, result } = await auditRepository({ repo: dir, verify: true });
  const shas = new Set(git(["rev-list", "--all"]).split("\n").filter(Boolean));
  // Nothing forged: every record is a real commit, and the push is read once, as itself.
  expect(history.records.every((r) => shas.has(r.sha))).toBe(true);
  const pushed = history.records.filter((r) => r.sha === push);
  expect(pushed).toHaveLength(1);
  expect(pushed[0]).toMatchObject({ subject: "hotfix api", author: { name: hostileName, email: hostileEmail } });
  expect(pushed[0]?.signature).toBe("N");

  const row = result.rows.find((r) => r.commit === push);
  expect(row).toMatchObject({ kind: "direct-push", environment: "prod", service: "api", digest: digestOf(99), previous: digestOf(15) });
  // The initial digest, the six promotions, the push: no row from the forged record or the odd file.
  expect(result.rows.map((r) => r.kind)).toEqual(["initial", ...builder.expected.map((c) => c.kind), "direct-push"]);
  const findings = result.findings.filter((f) => f.commit === push);
  expect(findings.map((f) => f.kind).sort()).toEqual(["bypass", "invalid-note"]);
  expect(findings.find((f) => f.kind === "bypass")?.message).toContain(`by ${hostileName} <${hostileEmail}>`);

  // Printed to a terminal, the report shows the escape sequences in the name instead of running them
  // (erase the line, move up: the bypass line would vanish from the auditor's screen).
  const markdown = renderAudit("md", result, history, {});
  // eslint-disable-next-line no-control-regex -- control characters are what must not be there
  expect(markdown).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/);
  expect(markdown).toContain("Mal\u241flo\u241ery \u241b\\[2K\u241b\\[1A");
});
