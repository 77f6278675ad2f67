/**
 * The organization functions' environments: one schema per function, validated at cold start and
 * used by lib/org/org-audit-stack.ts to type what it passes (a variable missing on either side fails
 * to compile or fails the cold start with the variable named). The field schemas are the
 * single-account handler's, so a topic ARN or a config is checked the same way in both stacks.
 */
import { z } from "zod";
import { AUDIT_ENV, AuditEnvironmentSchema } from "../handlers/environment.js";

const shared = AuditEnvironmentSchema.shape;

/** The role every member account's StackSet creates (lib/org/member-role.ts). */
export const MEMBER_ROLE_NAME = "MinewatchAuditRole";
/** The audit-account function's role name: the one principal the member roles trust. */
export const ORG_AUDIT_ROLE_NAME = "MinewatchOrgAuditRole";

/** AWS's rule for sts:ExternalId: 2-1224 characters of [\w+=,.@:/-]. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

const accountList = z
  .string()
  .default("")
  .transform((text) =>
    text
      .split(",")
      .map((id) => id.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^\d{12}$/, "expected comma-separated 12-digit account ids")));

export const ListAccountsEnvironmentSchema = z.object({
  [AUDIT_ENV.REPORT_BUCKET]: shared[AUDIT_ENV.REPORT_BUCKET],
  /** Account ids never audited (e.g. the management account when it has no member role); listed as not audited. */
  EXCLUDE_ACCOUNTS: accountList,
});

export const AuditAccountEnvironmentSchema = z.object({
  [AUDIT_ENV.REPORT_BUCKET]: shared[AUDIT_ENV.REPORT_BUCKET],
  [AUDIT_ENV.REPORT_PREFIX]: shared[AUDIT_ENV.REPORT_PREFIX],
  [AUDIT_ENV.MINEWATCH_CONFIG]: shared[AUDIT_ENV.MINEWATCH_CONFIG],
  MEMBER_ROLE_NAME: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, "expected an IAM role name")
    .default(MEMBER_ROLE_NAME),
  /** Not a secret (AWS: it prevents the confused deputy), but it must match the StackSet's parameter. */
  EXTERNAL_ID: z.string().regex(EXTERNAL_ID_PATTERN, "expected 2-1224 characters of letters, digits and +=,.@:/-"),
  /** aws, aws-cn, aws-us-gov: the member role ARN's partition. */
  PARTITION: z
    .string()
    .regex(/^aws[a-z-]*$/, "expected an AWS partition such as aws")
    .default("aws"),
});

export const AggregateEnvironmentSchema = z.object({
  [AUDIT_ENV.TOPIC_ARN]: shared[AUDIT_ENV.TOPIC_ARN],
  [AUDIT_ENV.REPORT_BUCKET]: shared[AUDIT_ENV.REPORT_BUCKET],
  [AUDIT_ENV.MINEWATCH_CONFIG]: shared[AUDIT_ENV.MINEWATCH_CONFIG],
  /** Open findings per account between organization runs (the single-account table's schema). */
  [AUDIT_ENV.STATE_TABLE]: shared[AUDIT_ENV.STATE_TABLE],
  [AUDIT_ENV.STATE_TTL_DAYS]: shared[AUDIT_ENV.STATE_TTL_DAYS],
});

export type ListAccountsEnvironment = z.input<typeof ListAccountsEnvironmentSchema>;
export type AuditAccountEnvironment = z.input<typeof AuditAccountEnvironmentSchema>;
export type AggregateEnvironment = z.input<typeof AggregateEnvironmentSchema>;

/** Validates a function's environment; throws naming every bad variable (the invocation fails loudly). */
export function loadOrgEnvironment<T extends z.ZodObject>(
  schema: T,
  env: Record<string, string | undefined>,
  functionName: string,
): z.output<T> {
  const picked = Object.fromEntries(Object.keys(schema.shape).map((name) => [name, env[name]]));
  const result = schema.safeParse(picked);
  if (!result.success) {
    const named = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "(environment)");
      return `${variable}: ${env[variable] === undefined && issue.code === "invalid_type" ? "is not set" : issue.message}`;
    });
    throw new Error(
      `The Minewatch ${functionName} function is misconfigured: ${named.join("; ")}. Fix the function's environment (MinewatchOrgStack sets it).`,
    );
  }
  return result.data;
}
