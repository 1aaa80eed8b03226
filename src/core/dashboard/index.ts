export * from "./types.js";
export * from "./matrix.js";
export * from "./state.js";
export * from "./render.js";
export * from "./port.js";
