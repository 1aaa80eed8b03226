export * from "./dispatcher.js";
export * from "./sign.js";
