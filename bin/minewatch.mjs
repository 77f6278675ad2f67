#!/usr/bin/env node
// The `minewatch` command. Runs the TypeScript CLI through tsx, so `npx minewatch` works straight
// from a clone with no build step. All behaviour lives in lambda/cli/main.ts (`main(argv)`).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../lambda/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
