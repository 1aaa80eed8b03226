export * from "./types.js";
export * from "./select.js";
export * from "./text.js";
export * from "./render-slack.js";
export * from "./render-teams.js";
export * from "./render-webhook.js";
export { renderNotification } from "./render.js";
