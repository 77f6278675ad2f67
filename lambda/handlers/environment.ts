/**
 * The audit function's environment: the one schema the handler validates at cold start and the CDK
 * construct uses to type the `environment` it passes, so a variable missing on either side fails
 * (at synth time as a type error, at run time as one clear message naming the variable).
 */
import { z } from "zod";
import { type Config, ConfigSchema } from "../core/config.js";
import { describeIssues } from "../core/input.js";

/** The variable names, for the CDK construct (`AUDIT_ENV.TOPIC_ARN`) and for error messages. */
export const AUDIT_ENV = {
  TOPIC_ARN: "TOPIC_ARN",
  REPORT_BUCKET: "REPORT_BUCKET",
  STATE_TABLE: "STATE_TABLE",
  MINEWATCH_CONFIG: "MINEWATCH_CONFIG",
  ALL_CLEAR_EMAIL: "ALL_CLEAR_EMAIL",
  REPORT_PREFIX: "REPORT_PREFIX",
  STATE_TTL_DAYS: "STATE_TTL_DAYS",
} as const;

const booleanString = z
  .enum(["true", "false"], { error: 'expected "true" or "false"' })
  .default("true")
  .transform((value) => value === "true");

/**
 * MINEWATCH_CONFIG holds the Config as JSON (the same document `--config` reads). It is parsed and
 * validated here, so a bad allowlist entry fails the cold start with the field named instead of
 * running with defaults nobody asked for.
 */
const configJson = z
  .string()
  .optional()
  .transform((text, ctx): Config => {
    if (text === undefined || text.trim() === "") return ConfigSchema.parse({});
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      ctx.addIssue({
        code: "custom",
        message: `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      });
      return z.NEVER;
    }
    const parsed = ConfigSchema.safeParse(data);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: `not a valid Minewatch config: ${describeIssues(parsed.error)}` });
      return z.NEVER;
    }
    return parsed.data;
  });

export const AuditEnvironmentSchema = z.object({
  /** SNS topic the findings email (and any pager subscription) is published to. */
  [AUDIT_ENV.TOPIC_ARN]: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, "expected an SNS topic ARN"),
  /** Bucket for full reports and snapshots (encryption by the bucket's default SSE). */
  [AUDIT_ENV.REPORT_BUCKET]: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name"),
  /** DynamoDB table of open findings: pk (S) = account id, sk (S) = finding id, TTL attribute expiresAt. */
  [AUDIT_ENV.STATE_TABLE]: z.string().regex(/^[\w.-]{3,255}$/, "expected a DynamoDB table name"),
  /** The Config as JSON; defaults for every field when absent. */
  [AUDIT_ENV.MINEWATCH_CONFIG]: configJson,
  /** Send the daily email when there is nothing to report ("true" by default: silence is not a signal). */
  [AUDIT_ENV.ALL_CLEAR_EMAIL]: booleanString,
  /** Key prefix for reports and snapshots in the bucket; lifecycle rules can target it. */
  [AUDIT_ENV.REPORT_PREFIX]: z
    .string()
    .regex(/^[\w./-]*$/, "expected an S3 key prefix such as reports")
    .default("reports")
    .transform((prefix) => prefix.replace(/^\/+|\/+$/g, "")),
  /**
   * Days an open finding's state item lives after it was last seen, as a safety net: if the
   * schedule stops, DynamoDB TTL clears stale items instead of reporting them "ongoing" forever.
   */
  [AUDIT_ENV.STATE_TTL_DAYS]: z
    .string()
    .regex(/^\d+$/, "expected a whole number of days such as 30")
    .default("30")
    .transform(Number)
    .pipe(z.number().int().min(1, "at least 1 day").max(365, "at most 365 days")),
});

/** What the CDK construct passes (strings; optional where there is a default). */
export type AuditEnvironment = z.input<typeof AuditEnvironmentSchema>;
/** What the handler works with after validation. */
export type AuditSettings = z.output<typeof AuditEnvironmentSchema>;

export class EnvironmentError extends Error {
  override readonly name = "EnvironmentError";
}

/**
 * Validates the function's environment. Throws (so the invocation fails and the Errors alarm fires)
 * with every bad variable named: a misconfigured deployment must never look like a quiet day.
 */
export function loadEnvironment(env: Record<string, string | undefined> = process.env): AuditSettings {
  const picked = Object.fromEntries(Object.values(AUDIT_ENV).map((name) => [name, env[name]]));
  const result = AuditEnvironmentSchema.safeParse(picked);
  if (!result.success) {
    const named = result.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "(environment)");
      const message = issue.code === "invalid_type" && env[variable] === undefined ? "is not set" : issue.message;
      return `${variable}: ${message}`;
    });
    throw new EnvironmentError(
      `The Minewatch audit function is misconfigured: ${named.join("; ")}. Fix the function's environment (the CDK stack sets it).`,
    );
  }
  return result.data;
}
