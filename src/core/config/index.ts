export * from "./common.js";
export * from "./config-schema.js";
export * from "./duration.js";
export * from "./gate-schemas.js";
export * from "./policy-schema.js";
export * from "./loaded.js";
