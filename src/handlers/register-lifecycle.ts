/**
 * Registers the gate and deployment lifecycle handlers (one file per event) on a Probot app.
 */
import type { Probot } from "probot";
import { registerCheckRun } from "./check-run.js";
import { registerCheckSuite } from "./check-suite.js";
import { registerDeploymentStatus } from "./deployment-status.js";
import { registerInstallation } from "./installation.js";
import { registerGateCommands } from "./issue-comment-gates.js";
import { LifecycleApp, type LifecycleHandlerOptions } from "./lifecycle-context.js";
import { registerMergeGroup } from "./merge-group.js";
import { registerPullRequest } from "./pull-request.js";
import { registerPullRequestReview } from "./pull-request-review.js";
import { registerPush } from "./push.js";
import { registerStatus } from "./status.js";

/** Registers every lifecycle handler; returns the shared state (the tick uses it). */
export function registerLifecycleHandlers(app: Probot, options: LifecycleHandlerOptions = {}): LifecycleApp {
  const shared = new LifecycleApp(app, options);
  registerPullRequest(app, shared);
  registerPullRequestReview(app, shared);
  registerGateCommands(app, shared);
  registerCheckRun(app, shared);
  registerCheckSuite(app, shared);
  registerStatus(app, shared);
  registerDeploymentStatus(app, shared);
  registerPush(app, shared);
  registerMergeGroup(app, shared);
  registerInstallation(app, shared);
  return shared;
}
