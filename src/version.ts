/** Stagegate's version: what `--version` prints and what a report says produced it (held equal to package.json's by a test). */
export const VERSION = "0.1.0";
