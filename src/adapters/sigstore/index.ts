export * from "./verify-bundle.js";
export * from "./trust.js";
export * from "./attestations-api.js";
export * from "./probe.js";
