export * from "./types.js";
export * from "./check.js";
