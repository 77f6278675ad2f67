import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
    // CDK synthesis and esbuild bundling take a few seconds on a 2-core CI machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
