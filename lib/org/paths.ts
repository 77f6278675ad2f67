/** Handler entries of the organization stack, from one place (see lib/paths.ts). */
import { join } from "node:path";
import { PROJECT_ROOT } from "../paths.js";

const ORG_HANDLERS = join(PROJECT_ROOT, "lambda", "org");
export const LIST_ACCOUNTS_ENTRY = join(ORG_HANDLERS, "list-accounts.ts");
export const AUDIT_ACCOUNT_ENTRY = join(ORG_HANDLERS, "audit-account.ts");
export const AGGREGATE_ENTRY = join(ORG_HANDLERS, "aggregate.ts");
