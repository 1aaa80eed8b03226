export * from "./branch.js";
export * from "./message.js";
export * from "./metadata.js";
export * from "./plan.js";
export * from "./unified-diff.js";
