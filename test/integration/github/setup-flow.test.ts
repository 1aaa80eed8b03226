// The whole first run of `stagegate serve`, as an operator goes through it: the setup page posts the
// manifest to GitHub; GitHub redirects back with a code; Probot exchanges the code for the App's
// credentials (POST /app-manifests/{code}/conversions, here against a fake GitHub Enterprise host:
// GHE_HOST / GHE_PROTOCOL); the credentials land in .env (owner-only); and `stagegate serve` run
// again starts with them: healthy, accepting a webhook signed with the new secret, refusing others.
import { createHmac, generateKeyPairSync } from "node:crypto";
import type { ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { afterAll, afterEach, expect, it } from "vitest";
import { freePort, startServe, stop, waitForHealthz, waitForOutput } from "../ops/support/processes.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "stagegate-setup-"));
const children: ChildProcess[] = [];
let github: Server | undefined;
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stop(child)));
  await new Promise((resolve) => (github ? github.close(resolve) : resolve(undefined)));
  github = undefined;
});

const PEM = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const SECRET = "5f2b0c8e9d1a4b7c6e3f0a9b8c7d6e5f";

/** A GitHub Enterprise host that knows one manifest code; records the requests it gets. */
async function fakeGitHub(code: string) {
  const requests: { method: string; url: string; accept: string }[] = [];
  github = createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", accept: String(req.headers.accept ?? "") });
    const base = `http://127.0.0.1:${(github!.address() as AddressInfo).port}`;
    if (req.method === "POST" && req.url === `/api/v3/app-manifests/${code}/conversions`) {
      res.writeHead(201, { "content-type": "application/json" }).end(
        JSON.stringify({ id: 4242, slug: "stagegate-acme", node_id: "A_kwDO", name: "Stagegate", owner: { login: "acme" }, html_url: `${base}/apps/stagegate-acme`, client_id: "Iv1.0123456789abcdef", client_secret: "c".repeat(40), webhook_secret: SECRET, pem: PEM }),
      );
    } else res.writeHead(404, { "content-type": "application/json" }).end('{"message":"Not Found"}');
  });
  await new Promise<void>((resolve) => github!.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${(github.address() as AddressInfo).port}`, host: `127.0.0.1:${(github.address() as AddressInfo).port}`, requests };
}

function serve(cwd: string, env: Record<string, string>) {
  const run = startServe(cwd, env);
  children.push(run.child);
  return run;
}

async function get(url: string): Promise<Response> {
  for (let i = 0; ; i++) {
    try {
      return await fetch(url, { redirect: "manual" });
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

it("registers the App from the manifest code, writes .env owner-only, and the next start runs with those credentials", async () => {
  const fake = await fakeGitHub("c0de42");
  const dir = mkdtempSync(join(tmp, "app-"));
  copyFileSync(join(root, "app.yml"), join(dir, "app.yml"));
  copyFileSync(join(root, "package.json"), join(dir, "package.json"));
  writeFileSync(join(dir, ".env"), "# kept\nLOG_LEVEL=info\n", { mode: 0o644 });
  const port = await freePort();
  const setup = serve(dir, { NODE_ENV: "development", HOST: "127.0.0.1", PORT: String(port), GHE_HOST: fake.host, GHE_PROTOCOL: "http" });
  await waitForOutput(setup.child, /register the App from app\.yml/, 30_000);

  // The page sends the operator to the GHE host's "new App" form.
  const page = await get(`http://127.0.0.1:${port}/probot`);
  expect(page.status, setup.output()).toBe(200);
  expect(await page.text()).toContain(`action="${fake.base}/settings/apps/new`);

  // GitHub's redirect back: the code is exchanged once, the operator sent on to install the App.
  const back = await get(`http://127.0.0.1:${port}/probot/setup?code=c0de42`);
  expect(back.status, setup.output()).toBe(302);
  expect(back.headers.get("location")).toBe(`${fake.base}/apps/stagegate-acme/installations/new`);
  expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /api/v3/app-manifests/c0de42/conversions"]);

  const envPath = join(dir, ".env");
  expect(statSync(envPath).mode & 0o777).toBe(0o600);
  expect(parseEnv(readFileSync(envPath, "utf8"))).toEqual({ LOG_LEVEL: "info", APP_ID: "4242", PRIVATE_KEY: PEM, WEBHOOK_SECRET: SECRET, GITHUB_CLIENT_ID: "Iv1.0123456789abcdef", GITHUB_CLIENT_SECRET: "c".repeat(40) });
  expect(setup.output()).not.toContain(SECRET);
  await stop(setup.child);

  // The second start reads .env: the App's own credentials, not setup mode.
  const appPort = await freePort();
  const app = serve(dir, { NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(appPort), LOG_FORMAT: "json" });
  await waitForHealthz(app.child, `http://127.0.0.1:${appPort}`, 60_000, app.output);
  expect(app.output()).not.toMatch(/register the App/);
  const body = JSON.stringify({ zen: "Keep it logically awesome.", hook_id: 1, hook: { type: "App", id: 1, events: ["push"] } });
  const deliver = (secret: string) =>
    fetch(`http://127.0.0.1:${appPort}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "d-1", "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}` },
      body,
    });
  expect((await deliver(SECRET)).status, app.output()).toBe(200);
  expect((await deliver("not-the-secret-0000")).status).toBe(400);
}, 120_000);
