/** Source paths the CDK app bundles, from one place (never `../../..` scattered in constructs). */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const LOCK_FILE = join(PROJECT_ROOT, "package-lock.json");
export const AUDIT_HANDLER_ENTRY = join(PROJECT_ROOT, "lambda", "handlers", "audit-handler.ts");
