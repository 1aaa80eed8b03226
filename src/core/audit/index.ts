export * from "./types.js";
export * from "./note-schema.js";
export * from "./trailers.js";
export * from "./build-audit.js";
export * from "./dora.js";
export * from "./render-text.js";
export * from "./render-html.js";
export * from "./digest-tracker.js";
