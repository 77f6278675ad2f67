/**
 * Minewatch's version, in one place: reports, snapshots and the CLI print it. A constant rather than
 * a JSON import of package.json, so the Lambda bundle does not carry the whole manifest; a test
 * keeps it equal to package.json's version.
 */
export const TOOL_NAME = "minewatch";
export const TOOL_VERSION = "0.1.0";
