/**
 * Registers the gate and deployment lifecycle handlers (one file per event) on a Probot app.
 */
import type { Probot } from "probot";
import { LifecycleApp, type LifecycleHandlerOptions } from "./lifecycle-context.js";
import { registerPullRequest } from "./pull-request.js";

/** Registers every lifecycle handler; returns the shared state (the tick uses it). */
export function registerLifecycleHandlers(app: Probot, options: LifecycleHandlerOptions): LifecycleApp {
  const shared = new LifecycleApp(app, options);
  registerPullRequest(app, shared);
  return shared;
}
