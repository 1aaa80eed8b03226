export * from "./clock.js";
export * from "./environments-repo.js";
