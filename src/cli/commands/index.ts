import type { Command } from "commander";
import { register as audit } from "./audit.js";
import { register as approve } from "./approve.js";
import { register as demo } from "./demo.js";
import { register as deployStatus } from "./deploy-status.js";
import { register as merge } from "./merge.js";
import { register as promote } from "./promote.js";
import { register as promoteGithub } from "./promote-remote.js";
import { register as serve } from "./serve.js";
import { register as status } from "./status.js";
import { register as tick } from "./tick.js";
import { register as dora } from "./dora.js";
import { register as plan } from "./plan.js";
import { register as setImage } from "./set-image.js";
import { register as sourceStatus } from "./source-status.js";
import { register as team } from "./team.js";
import { register as setup } from "./setup.js";
import { register as validate } from "./validate.js";

/**
 * Every CLI command, in help order. Adding a command = one file in this folder exporting
 * `register(program: Command): void`, plus one line here.
 */
export const commands: ((program: Command) => void)[] = [validate, setImage, plan, promote, promoteGithub, approve, merge, deployStatus, sourceStatus, team, tick, status, audit, dora, demo, serve, setup];
