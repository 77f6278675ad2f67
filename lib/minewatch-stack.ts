/**
 * The Minewatch stack: a scheduled, read-only audit of this account whose findings reach people by
 * email through SNS, with every report kept as evidence and a manual run for incident response.
 *
 * One construct per concern, composed here; writes are granted action by action on Minewatch's own
 * resources; the audit's AWS
 * permissions are exactly the collectors' read calls (lib/audit-permissions.ts).
 */
import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import type { AuditEnvironment } from "../lambda/handlers/environment.js";
import { STATE_DIR } from "../lambda/state/state-files.js";
import { AUDIT_READ_PERMISSIONS, WEB_SCAN_OBJECT_READS } from "./audit-permissions.js";
import { AuditAlarms } from "./constructs/audit-alarms.js";
import { AuditSchedule } from "./constructs/audit-schedule.js";
import { FindingsTopic } from "./constructs/findings-topic.js";
import { MinewatchFunction } from "./constructs/minewatch-function.js";
import { ReportBucket } from "./constructs/report-bucket.js";
import { StateTable } from "./constructs/state-table.js";
import { type DeployConfig, effectiveMinewatchConfig, minewatchConfigVariable } from "./deploy-config.js";
import { AUDIT_HANDLER_ENTRY } from "./paths.js";

/** Reports and snapshots are written under this key prefix, and the function may write nowhere else. */
const REPORT_PREFIX = "reports";

export interface MinewatchStackProps extends StackProps {
  settings: DeployConfig;
}

export class MinewatchStack extends Stack {
  readonly auditFunction: MinewatchFunction;
  readonly findings: FindingsTopic;
  readonly reports: ReportBucket;
  readonly state: StateTable;
  readonly settings: DeployConfig;

  constructor(scope: Construct, id: string, props: MinewatchStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.settings = settings;

    this.findings = new FindingsTopic(this, "Findings", { emails: settings.emails });
    this.reports = new ReportBucket(this, "Reports", { retentionDays: settings.reportRetentionDays });
    this.state = new StateTable(this, "State");

    const timeout = Duration.minutes(10);
    // Typed from the schema the handler validates: a variable missing here fails to compile.
    const environment: AuditEnvironment = {
      TOPIC_ARN: this.findings.topic.topicArn,
      REPORT_BUCKET: this.reports.bucket.bucketName,
      STATE_TABLE: this.state.table.tableName,
      ALL_CLEAR_EMAIL: settings.allClearEmail ? "true" : "false",
      MINEWATCH_CONFIG: minewatchConfigVariable(effectiveMinewatchConfig(settings)),
      REPORT_PREFIX,
    };
    this.auditFunction = new MinewatchFunction(this, "Audit", {
      entry: AUDIT_HANDLER_ENTRY,
      description: "Minewatch: audits this account for unauthorized cryptocurrency mining",
      timeout,
      environment,
    });
    const fn = this.auditFunction.function;

    for (const permission of AUDIT_READ_PERMISSIONS) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: permission.actions,
          resources: permission.resources({ partition: this.partition, account: this.account }),
        }),
      );
    }
    this.grantWebScanReads(fn, settings);
    this.grantStateFileReads(fn);
    // Writes only to Minewatch's own resources, and only the actions the handler uses (grantPut
    // and grantPublish would add Abort* and GenerateDataKey* wildcards it does not need).
    fn.addToRolePolicy(new PolicyStatement({ actions: ["sns:Publish"], resources: [this.findings.topic.topicArn] }));
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [this.findings.key.keyArn] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:PutObject"],
        resources: [this.reports.bucket.arnForObjects(`${REPORT_PREFIX}/*`)],
      }),
    );
    this.state.table.grantReadWriteData(fn);

    new AuditSchedule(this, "Schedule", {
      function: fn,
      dailyAt: settings.dailyAt,
      timeZone: settings.timeZone,
      ...(settings.sweepEveryMinutes > 0 ? { sweepEveryMinutes: settings.sweepEveryMinutes } : {}),
    });
    new AuditAlarms(this, "Alarms", { function: fn, topic: this.findings.topic, timeout });

    new CfnOutput(this, "AuditFunctionName", {
      value: fn.functionName,
      description: 'Invoke for an incident: aws lambda invoke --function-name <this> --payload \'{"mode":"incident"}\'',
    });
    new CfnOutput(this, "FindingsTopicArn", { value: this.findings.topic.topicArn });
    new CfnOutput(this, "ReportBucketName", { value: this.reports.bucket.bucketName });
  }

  /**
   * Object reads for the in-browser miner scan: none by default; on the named buckets only; or, when
   * the operator opts in to every site bucket, on all buckets (IAM cannot express "buckets with
   * website hosting", so that opt-in trades least privilege for not having to list the sites).
   */
  private grantWebScanReads(fn: MinewatchFunction["function"], settings: DeployConfig): void {
    const bucketArns = settings.webScanAllWebsiteBuckets
      ? [`arn:${this.partition}:s3:::*`]
      : settings.webScanBuckets.map((bucket) => `arn:${this.partition}:s3:::${bucket}`);
    if (bucketArns.length === 0) return;
    fn.addToRolePolicy(new PolicyStatement({ actions: [...WEB_SCAN_OBJECT_READS.listActions], resources: bucketArns }));
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [...WEB_SCAN_OBJECT_READS.objectActions],
        resources: bucketArns.map((arn) => `${arn}/*`),
      }),
    );
  }

  /**
   * The function's memory between runs, in its own bucket (lambda/state/state-files.ts): the daily
   * run's Cost Explorer data for the sweeps and the pages' script sources. s3:GetObject on the
   * state folders only (writes are covered by the reports/ grant); s3:ListBucket on the bucket so a
   * missing file (the first run) answers 404 instead of 403, which would read as a denied read.
   */
  private grantStateFileReads(fn: MinewatchFunction["function"]): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:GetObject"],
        resources: [this.reports.bucket.arnForObjects(`${REPORT_PREFIX}/*/${STATE_DIR}/*`)],
      }),
    );
    fn.addToRolePolicy(new PolicyStatement({ actions: ["s3:ListBucket"], resources: [this.reports.bucket.bucketArn] }));
  }
}
