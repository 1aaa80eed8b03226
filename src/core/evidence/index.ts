export * from "./schema.js";
export * from "./body.js";
export * from "./trailers.js";
export { code, escapeText, link, plural } from "./markdown.js";
