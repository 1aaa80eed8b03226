export * from "./command.js";
export * from "./payloads.js";
export * from "./registry-package.js";
export * from "./resolve.js";
