/**
 * The organization run's contract: what each Step Functions state passes to the next, and where in
 * the report bucket each piece lives. Validated with zod at every Lambda's edge, so a state machine
 * wired with the wrong input fails with a sentence, not with a half-audited organization.
 *
 * Layout of one run in the report bucket (`<runPrefix>` = org-runs/yyyy/mm/dd/<runId>):
 *   <runPrefix>/accounts.json               the accounts the run set out to audit (list-accounts)
 *   <runPrefix>/outcomes/<accountId>.json   one small outcome per account (audited or failed)
 *   <runPrefix>/organization.report.json    the aggregated report (aggregate)
 *   reports/<accountId>/yyyy/mm/dd/<runId>.report.json (and .snapshot.json): each account's full
 *   report and snapshot, the same keys the single-account stack writes.
 */
import { z } from "zod";
import { CoverageReasonSchema } from "../core/snapshot.js";
import { SeveritySchema } from "../report/model.js";

export const ORG_RUN_PREFIX = "org-runs";

const accountId = z.string().regex(/^\d{12}$/, "a 12-digit AWS account id");
const isoDateTime = z.iso.datetime({ offset: true, error: "expected an ISO date-time" });
/** Step Functions execution names: 1-80 characters; the run id becomes part of S3 keys and a session name. */
const runId = z.string().regex(/^[\w-]{1,80}$/, "expected a run id of letters, digits, - and _ (the execution name)");
const runPrefix = z.string().regex(/^[\w./-]+$/, "expected an S3 key prefix");

export const AccountRefSchema = z.object({ id: accountId, name: z.string().default("") });

/** What the state machine gives list-accounts: `$$.Execution.Name` and `$$.Execution.StartTime`. */
export const ListAccountsInputSchema = z.object({ executionName: z.string().min(1).max(80), startedAt: isoDateTime });

/** The run id from an execution name: S3 keys and STS session names take only [\w-]. */
export function runIdOf(executionName: string): string {
  return executionName.replace(/[^\w-]/g, "-");
}

export const AccountListingSchema = z.object({
  runId,
  startedAt: isoDateTime,
  runPrefix,
  /** ACTIVE accounts to audit: the Map state's items. Kept tiny (id and name) for the 256 KB state limit. */
  accounts: z.array(AccountRefSchema),
  /** Accounts not audited on purpose, with why (suspended, closing, excluded by configuration). */
  notAudited: z.array(z.object({ id: accountId, name: z.string().default(""), reason: z.string() })).default([]),
});

/** One Map item: the run's coordinates and the account. */
export const AuditAccountInputSchema = z.object({
  runId,
  startedAt: isoDateTime,
  runPrefix,
  account: AccountRefSchema,
});

export const AuditedOutcomeSchema = z.object({
  status: z.literal("audited"),
  accountId,
  accountName: z.string().default(""),
  reportLocation: z.string(),
  snapshotLocation: z.string(),
  findings: z.number().int(),
  worstSeverity: SeveritySchema.nullable(),
  coverageComplete: z.boolean(),
});

/** Where an account's audit stopped: its role could not be assumed, the audit failed, or Step Functions gave up. */
export const FailureStageSchema = z.enum(["assume-role", "audit", "step-functions"]);

export const FailedOutcomeSchema = z.object({
  status: z.literal("failed"),
  accountId,
  accountName: z.string().default(""),
  stage: FailureStageSchema,
  reason: CoverageReasonSchema.default("error"),
  message: z.string(),
});

export const AccountOutcomeSchema = z.discriminatedUnion("status", [AuditedOutcomeSchema, FailedOutcomeSchema]);

/** What the state machine gives the aggregate Lambda (the listing's coordinates, not its accounts). */
export const AggregateInputSchema = z.object({ runId, startedAt: isoDateTime, runPrefix });

export type AccountRef = z.infer<typeof AccountRefSchema>;
export type AccountListing = z.infer<typeof AccountListingSchema>;
export type AuditAccountInput = z.infer<typeof AuditAccountInputSchema>;
export type AccountOutcome = z.infer<typeof AccountOutcomeSchema>;
export type AuditedOutcome = z.infer<typeof AuditedOutcomeSchema>;
export type FailedOutcome = z.infer<typeof FailedOutcomeSchema>;
export type AggregateInput = z.infer<typeof AggregateInputSchema>;

/** org-runs/2026/03/10/<runId>: one folder per day, like the single-account reports. */
export function orgRunPrefix(startedAt: Date, id: string): string {
  const yyyy = String(startedAt.getUTCFullYear());
  const mm = String(startedAt.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(startedAt.getUTCDate()).padStart(2, "0");
  return `${ORG_RUN_PREFIX}/${yyyy}/${mm}/${dd}/${id}`;
}

export const orgKeys = {
  accounts: (prefix: string) => `${prefix}/accounts.json`,
  outcome: (prefix: string, account: string) => `${prefix}/outcomes/${account}.json`,
  /** The key the state machine's failure-recording state writes to (States.Format of the same pattern). */
  outcomePattern: "{}/outcomes/{}.json",
  report: (prefix: string) => `${prefix}/organization.report.json`,
};

/**
 * The coverage sentence each member account's report carries for Cost Explorer: the payer account
 * reads it once for every linked account, so the aggregate does not count it as a gap there.
 */
export const PAYER_COSTS_NOTE =
  "Cost Explorer is read once for the whole organization from the payer account (see the organization report), not per member account.";

/** Parses input with a sentence naming what is wrong: a miswired state machine must fail loudly. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(input)"}: ${i.message}`).join("; ");
    throw new Error(`${what} received an invalid input (${issues}). Check the Minewatch org state machine definition.`);
  }
  return result.data;
}
