export * from "./promote.js";
