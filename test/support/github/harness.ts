/**
 * Test wiring for GitHub: a fake GitHub per test (contract-checked, removed after the test), an Octokit
 * client for adapter tests, and a Probot instance with retries and throttling disabled for handler tests.
 */
import type { EvidenceSeal } from "../../../src/core/evidence/seal.js";
import { generateKeyPairSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Octokit } from "@octokit/rest";
import { Probot, ProbotOctokit } from "probot";
import { afterEach } from "vitest";
import type { GitHubClient } from "../../../src/adapters/github/client.js";
import type { Notifier } from "../../../src/core/ports/notifier.js";
import { FakeGitHub, FakeRepo } from "./fake-github.js";
import { environmentsRepoFiles } from "./fixtures.js";

export const INSTALLATION_ID = 42;
export const APP_ID = 1234;

let privateKey: string | undefined;

/** An RSA key for the test app (Probot signs its JWT with it; the fake accepts any). */
export function getTestPrivateKey(): string {
  privateKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  return privateKey;
}

/** Registers an afterEach that removes the fakes' interceptors and fails the test on contract violations. */
export function useFakeGitHub(): (repos?: FakeRepo[]) => FakeGitHub {
  const created: FakeGitHub[] = [];
  afterEach(() => {
    const fakes = created.splice(0);
    for (const fake of fakes) fake.dispose();
    for (const fake of fakes) fake.assertContract();
  });
  return (repos = [new FakeRepo("acme/environments", environmentsRepoFiles())]) => {
    const fake = new FakeGitHub(repos).install();
    created.push(fake);
    return fake;
  };
}

/** A token-authenticated client without retries (adapter tests, CLI). */
export function createTestClient(): GitHubClient {
  return new Octokit({ auth: "ghs_test", request: { retries: 0 } });
}

/** A Probot instance talking to the fake (throttling and retries off, logs silent). */
export function createTestProbot(): Probot {
  return new Probot({
    appId: APP_ID,
    privateKey: getTestPrivateKey(),
    secret: "webhook-secret",
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
  });
}

/** Options of the Stagegate app under test (the env.ts subset it reads). */
export interface AppUnderTestOptions {
  environmentsRepo?: string;
  intakeSecret?: string;
  now?: () => number;
  /** Receives the app's notifications (server.ts passes the dispatcher). */
  notifier?: Notifier;
  /** Seals evidence blocks (server.ts always passes one). */
  seal?: EvidenceSeal;
}

/** Loads the Stagegate app into a test Probot; returns the probot and the HTTP handlers it registered. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export async function loadStagegateApp(options: AppUnderTestOptions = {}): Promise<{ probot: Probot; handlers: HttpHandler[] }> {
  const { createStagegateApp } = await import("../../../src/app/app.js");
  const probot = createTestProbot();
  const handlers: HttpHandler[] = [];
  await probot.load(
    createStagegateApp({
      STAGEGATE_REGISTRY_HOST: "ghcr.io",
      ...(options.environmentsRepo ? { STAGEGATE_ENVIRONMENTS_REPO: options.environmentsRepo } : {}),
      ...(options.intakeSecret ? { STAGEGATE_INTAKE_SECRET: options.intakeSecret } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.notifier ? { notifier: options.notifier } : {}),
      ...(options.seal ? { seal: options.seal } : {}),
    }),
    { cwd: process.cwd(), addHandler: (handler) => void handlers.push(handler) },
  );
  return { probot, handlers };
}

/** The fixture world: the environments repo (with collaborators, teams, a label) and a source repo. */
export function createWorld(files = environmentsRepoFiles()): FakeRepo[] {
  const environments = new FakeRepo("acme/environments", files);
  environments.collaborators.set("carol", "U_carol");
  environments.teams.set("checkout-team", { id: "T_checkout", members: new Set(["dave"]) });
  environments.teams.set("release-managers", { id: "T_release", members: new Set(["rita"]) });
  environments.labels.set("promotion", "LA_promotion");
  const source = new FakeRepo("acme/checkout", { "README.md": "# checkout\n", "Dockerfile": "FROM scratch\n" });
  return [environments, source];
}
