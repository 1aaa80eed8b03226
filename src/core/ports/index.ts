export * from "./clock.js";
export * from "./environments-repo.js";
export * from "./checks.js";
export * from "./commits.js";
export * from "./deployments.js";
export * from "./notes.js";
export * from "./pull-requests.js";
export * from "./source.js";
