/**
 * One Map item of the organization run: assume the member account's read-only MinewatchAuditRole
 * (with the external id), run the same core as the CLI and the single-account stack (runAudit) with
 * a ClientFactory built from the assumed credentials, store the report and snapshot, and record a
 * small outcome for the aggregate.
 *
 * Failure policy, per account:
 * - The role cannot be assumed (AccessDenied: StackSet not deployed there, wrong external id) or it
 *   belongs to another account: retrying will not help, so the failure is recorded as this account's
 *   coverage gap and the function returns normally.
 * - Anything else (STS throttling, an AWS outage, a bug) throws: Step Functions retries the item
 *   with backoff, and its Catch records the failure when retries run out. Never fails the run.
 *
 * Cost Explorer is skipped here: the aggregate reads it once from the payer account for every
 * linked account (member roles see only their own account's costs, and each request costs $0.01).
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity } from "@smithy/types";
import { type ClientFactory, createClientFactory } from "../collect/clients.js";
import { classifyAwsError } from "../collect/coverage.js";
import { type AuditRun, type RunAuditOptions, runAudit as realRunAudit } from "../core/run.js";
import { runKeys, storeRun } from "../publish/s3.js";
import {
  type AccountOutcome,
  AuditAccountInputSchema,
  type FailedOutcome,
  orgKeys,
  PAYER_COSTS_NOTE,
  parseInput,
} from "./contract.js";
import { AuditAccountEnvironmentSchema, loadOrgEnvironment } from "./environment.js";

/** A failure worth retrying: Step Functions' Retry matches this name (lib/org/org-audit-stack.ts). */
export class RetryableAccountError extends Error {
  override readonly name = "RetryableAccountError";
}

export interface AuditAccountDeps {
  sts: STSClient;
  s3: S3Client;
  /** Builds the clients of one member account from its assumed-role credentials. */
  clientsFor: (credentials: AwsCredentialIdentity) => ClientFactory;
  runAudit?: (options: RunAuditOptions) => Promise<AuditRun>;
  env?: Record<string, string | undefined>;
  now?: () => Date;
}

/** STS session names: 2-64 characters of [\w+=,.@-]; CloudTrail in the member account shows it. */
export function sessionName(runId: string): string {
  return `minewatch-${runId}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}

export function memberRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

export function createAuditAccountHandler(deps: AuditAccountDeps | (() => AuditAccountDeps)) {
  let resolved: AuditAccountDeps | undefined;
  return async (event: unknown): Promise<AccountOutcome> => {
    resolved ??= typeof deps === "function" ? deps() : deps;
    const d = resolved;
    const settings = loadOrgEnvironment(AuditAccountEnvironmentSchema, d.env ?? process.env, "audit-account");
    const input = parseInput(AuditAccountInputSchema, event, "audit-account");
    const { account } = input;

    const record = async (outcome: AccountOutcome): Promise<AccountOutcome> => {
      await d.s3.send(
        new PutObjectCommand({
          Bucket: settings.REPORT_BUCKET,
          Key: orgKeys.outcome(input.runPrefix, account.id),
          Body: JSON.stringify(outcome),
          ContentType: "application/json; charset=utf-8",
        }),
      );
      return outcome;
    };
    const failed = (stage: FailedOutcome["stage"], reason: FailedOutcome["reason"], message: string) =>
      record({ status: "failed", accountId: account.id, accountName: account.name, stage, reason, message });

    const roleArn = memberRoleArn(settings.PARTITION, account.id, settings.MEMBER_ROLE_NAME);
    let credentials: AwsCredentialIdentity;
    try {
      credentials = await assumeMemberRole(d.sts, roleArn, settings.EXTERNAL_ID, sessionName(input.runId));
    } catch (error) {
      const { reason, message } = classifyAwsError(error);
      if (reason !== "access-denied") {
        throw new RetryableAccountError(`AssumeRole ${roleArn} failed: ${message}`, { cause: error });
      }
      return failed(
        "assume-role",
        reason,
        `Could not assume ${roleArn} (${message}). Deploy the MinewatchMemberRole StackSet to this account with the same ExternalId (docs/organizations.md).`,
      );
    }

    let run: AuditRun;
    try {
      run = await (d.runAudit ?? realRunAudit)({
        config: settings.MINEWATCH_CONFIG,
        clients: d.clientsFor(credentials),
        generatedAt: (d.now ?? (() => new Date()))(),
        skipCostsReason: PAYER_COSTS_NOTE,
      });
    } catch (error) {
      // runAudit stops only when it cannot identify the account or list its regions.
      const { reason, message } = classifyAwsError(error);
      if (reason === "access-denied") {
        return failed("audit", reason, `The audit could not start in ${account.id}: ${message}`);
      }
      throw new RetryableAccountError(`The audit of ${account.id} failed: ${message}`, { cause: error });
    }
    const { report, snapshot } = run;
    if (report.accountId !== account.id) {
      // The role answered from another account: its findings must not be filed under this one.
      return failed(
        "audit",
        "error",
        `${roleArn} resolved to account ${report.accountId}, not ${account.id}: check the role's trust and the StackSet targets.`,
      );
    }
    const startedAt = new Date(input.startedAt);
    const stored = await storeRun(
      d.s3,
      settings.REPORT_BUCKET,
      runKeys(settings.REPORT_PREFIX, account.id, startedAt, input.runId),
      {
        report,
        snapshot,
      },
    );
    return record({
      status: "audited",
      accountId: account.id,
      accountName: account.name,
      reportLocation: stored.reportLocation,
      snapshotLocation: stored.snapshotLocation,
      findings: report.findings.length,
      worstSeverity: report.summary.worstSeverity,
      coverageComplete: report.summary.coverageComplete,
    });
  };
}

async function assumeMemberRole(
  sts: STSClient,
  roleArn: string,
  externalId: string,
  roleSessionName: string,
): Promise<AwsCredentialIdentity> {
  const answer = await sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      ExternalId: externalId,
      RoleSessionName: roleSessionName,
      // An hour outlasts the function's 10-minute timeout with room for slow pages.
      DurationSeconds: 3600,
    }),
  );
  const c = answer.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
    ...(c.Expiration ? { expiration: c.Expiration } : {}),
  };
}

/** Production dependencies, built on the first invocation (never at import). */
export const handler = createAuditAccountHandler(() => {
  const region = process.env.AWS_REGION;
  return {
    sts: new STSClient(region ? { region } : {}),
    s3: new S3Client({}),
    clientsFor: (credentials) => createClientFactory({ credentials, ...(region ? { defaultRegion: region } : {}) }),
  };
});
