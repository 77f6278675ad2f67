/**
 * MinewatchOrgStack: organization-wide auditing from the management (or delegated administrator)
 * account, on AWS Step Functions.
 *
 *   ListAccounts (Organizations, paginated, ACTIVE only)
 *     -> AuditEachAccount (Map; Distributed Map for large organizations), per account:
 *          AuditAccount (assume MinewatchAuditRole with the external id, runAudit, store the report)
 *            Retry: Lambda service errors and throttling, then RetryableAccountError, with backoff
 *            Catch: DescribeAccountFailure -> RecordAccountFailure (the account's coverage gap in S3)
 *     -> Aggregate (one report, one email grouped by account, Cost Explorer once from the payer)
 *
 * One account's failure never fails the run: it is retried, then recorded as that account's gap.
 * Even a failure of the Map itself goes on to Aggregate, which reports every account it has no
 * outcome for. Only a failure to list the accounts or to aggregate fails the execution, and that
 * trips an alarm on the findings topic.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, TimeZone } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { type CfnRole, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Schedule, ScheduleExpression, ScheduleTargetInput } from "aws-cdk-lib/aws-scheduler";
import { StepFunctionsStartExecution } from "aws-cdk-lib/aws-scheduler-targets";
import {
  DefinitionBody,
  DistributedMap,
  Errors,
  JitterType,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  ResultWriterV2,
  StateMachine,
  StateMachineType,
  TaskInput,
  type TaskStateBase,
} from "aws-cdk-lib/aws-stepfunctions";
import { CallAwsService, LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import type { Construct } from "constructs";
import { ORG_RUN_PREFIX, orgKeys } from "../../lambda/org/contract.js";
import {
  type AggregateEnvironment,
  type AuditAccountEnvironment,
  type ListAccountsEnvironment,
  MEMBER_ROLE_NAME,
  ORG_AUDIT_ROLE_NAME,
} from "../../lambda/org/environment.js";
import { AuditAlarms } from "../constructs/audit-alarms.js";
import { FindingsTopic } from "../constructs/findings-topic.js";
import { MinewatchFunction } from "../constructs/minewatch-function.js";
import { ReportBucket } from "../constructs/report-bucket.js";
import { StateTable } from "../constructs/state-table.js";
import { type DeployConfig, minewatchConfigVariable } from "../deploy-config.js";
import type { MapMode, OrgSettings } from "./org-settings.js";
import { AGGREGATE_ENTRY, AUDIT_ACCOUNT_ENTRY, LIST_ACCOUNTS_ENTRY } from "./paths.js";

/** Per-account reports go where the single-account stack writes them; the run's own files under org-runs/. */
const REPORT_PREFIX = "reports";
const MAP_RESULTS_PREFIX = `${ORG_RUN_PREFIX}/map-results`;

/** Lambda errors worth retrying: the service, not the audit, failed (AWS's recommended list plus throttling). */
export const LAMBDA_TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
  "Lambda.ClientExecutionTimeoutException",
];
/** Thrown by the audit function for a transient AWS failure (lambda/org/audit-account.ts). */
export const RETRYABLE_ACCOUNT_ERROR = "RetryableAccountError";

export interface MinewatchOrgStackProps extends StackProps {
  settings: DeployConfig;
  org: OrgSettings;
}

export class MinewatchOrgStack extends Stack {
  readonly findings: FindingsTopic;
  readonly reports: ReportBucket;
  readonly listAccounts: MinewatchFunction;
  readonly auditAccount: MinewatchFunction;
  readonly aggregate: MinewatchFunction;
  /** Open findings per member account, so the organization email says what is new and resolved. */
  readonly state: StateTable;
  readonly stateMachine: StateMachine;
  readonly mapMode: MapMode;

  constructor(scope: Construct, id: string, props: MinewatchOrgStackProps) {
    super(scope, id, props);
    // The Distributed Map's result writer (ResultWriterV2) is behind this flag; set before any construct.
    this.node.setContext("@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2", true);
    const { settings, org } = props;
    this.mapMode = org.mapMode;

    this.findings = new FindingsTopic(this, "Findings", { emails: settings.emails });
    this.reports = new ReportBucket(this, "Reports", { retentionDays: settings.reportRetentionDays });
    const bucket = this.reports.bucket;
    this.state = new StateTable(this, "State");
    const config = minewatchConfigVariable(settings.minewatch);

    // -- Functions ---------------------------------------------------------------------------
    const listEnvironment: ListAccountsEnvironment = {
      REPORT_BUCKET: bucket.bucketName,
      EXCLUDE_ACCOUNTS: org.excludeAccounts.join(","),
    };
    this.listAccounts = new MinewatchFunction(this, "ListAccounts", {
      entry: LIST_ACCOUNTS_ENTRY,
      description: "Minewatch org: lists the organization's ACTIVE member accounts",
      // ListAccounts answers 20 accounts a page: 5,000 accounts are 250 calls.
      timeout: Duration.minutes(5),
      memorySize: 512,
      environment: listEnvironment,
    });
    const listFn = this.listAccounts.function;
    listFn.addToRolePolicy(
      new PolicyStatement({
        actions: ["organizations:ListAccounts"],
        // Organizations list actions support no resource-level permissions.
        resources: ["*"],
      }),
    );
    listFn.addToRolePolicy(
      new PolicyStatement({ actions: ["s3:PutObject"], resources: [bucket.arnForObjects(`${ORG_RUN_PREFIX}/*`)] }),
    );

    const auditTimeout = Duration.minutes(10);
    const auditEnvironment: AuditAccountEnvironment = {
      REPORT_BUCKET: bucket.bucketName,
      REPORT_PREFIX,
      MINEWATCH_CONFIG: config,
      MEMBER_ROLE_NAME,
      EXTERNAL_ID: org.externalId,
      PARTITION: this.partition,
    };
    this.auditAccount = new MinewatchFunction(this, "AuditAccount", {
      entry: AUDIT_ACCOUNT_ENTRY,
      description: "Minewatch org: audits one member account through its read-only MinewatchAuditRole",
      timeout: auditTimeout,
      environment: auditEnvironment,
    });
    const auditFn = this.auditAccount.function;
    // A fixed name: the member roles' trust policy names exactly this role (lib/org/member-role.ts).
    const auditRole = auditFn.role?.node.defaultChild as CfnRole | undefined;
    if (!auditRole) throw new Error("The audit-account function has no role to name");
    auditRole.roleName = ORG_AUDIT_ROLE_NAME;
    auditFn.addToRolePolicy(
      new PolicyStatement({
        actions: ["sts:AssumeRole"],
        // Every member account's Minewatch role, and nothing else; the role's trust and external id do the rest.
        resources: [`arn:${this.partition}:iam::*:role/${MEMBER_ROLE_NAME}`],
      }),
    );
    auditFn.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:PutObject"],
        resources: [bucket.arnForObjects(`${REPORT_PREFIX}/*`), bucket.arnForObjects(`${ORG_RUN_PREFIX}/*`)],
      }),
    );

    const aggregateTimeout = Duration.minutes(10);
    const aggregateEnvironment: AggregateEnvironment = {
      TOPIC_ARN: this.findings.topic.topicArn,
      REPORT_BUCKET: bucket.bucketName,
      MINEWATCH_CONFIG: config,
      STATE_TABLE: this.state.table.tableName,
    };
    this.aggregate = new MinewatchFunction(this, "Aggregate", {
      entry: AGGREGATE_ENTRY,
      description: "Minewatch org: one report and one email for the whole organization, grouped by account",
      timeout: aggregateTimeout,
      environment: aggregateEnvironment,
    });
    const aggregateFn = this.aggregate.function;
    aggregateFn.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:GetObject"],
        resources: [bucket.arnForObjects(`${REPORT_PREFIX}/*`), bucket.arnForObjects(`${ORG_RUN_PREFIX}/*`)],
      }),
    );
    // ListBucket lets a missing outcome answer NoSuchKey (reported as "no outcome") instead of AccessDenied.
    aggregateFn.addToRolePolicy(
      new PolicyStatement({
        actions: ["s3:ListBucket"],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { "s3:prefix": [`${ORG_RUN_PREFIX}/*`] } },
      }),
    );
    aggregateFn.addToRolePolicy(
      new PolicyStatement({ actions: ["s3:PutObject"], resources: [bucket.arnForObjects(`${ORG_RUN_PREFIX}/*`)] }),
    );
    aggregateFn.addToRolePolicy(
      new PolicyStatement({
        actions: ["ce:GetCostAndUsage", "ce:GetAnomalies"],
        // Cost Explorer reads are account-wide (the payer sees every linked account) with no resource-level permissions.
        resources: ["*"],
      }),
    );
    aggregateFn.addToRolePolicy(
      new PolicyStatement({ actions: ["sns:Publish"], resources: [this.findings.topic.topicArn] }),
    );
    this.state.table.grantReadWriteData(aggregateFn);
    aggregateFn.addToRolePolicy(
      new PolicyStatement({ actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [this.findings.key.keyArn] }),
    );

    // -- State machine ---------------------------------------------------------------------------
    const listTask = new LambdaInvoke(this, "ListAccountsTask", {
      stateName: "ListAccounts",
      lambdaFunction: listFn,
      payload: TaskInput.fromObject({
        executionName: JsonPath.stringAt("$$.Execution.Name"),
        startedAt: JsonPath.stringAt("$$.Execution.StartTime"),
      }),
      payloadResponseOnly: true,
      resultPath: "$.listing",
      retryOnServiceExceptions: false,
    });
    withTransientRetry(listTask);

    const auditTask = new LambdaInvoke(this, "AuditAccountTask", {
      stateName: "AuditAccount",
      lambdaFunction: auditFn,
      payloadResponseOnly: true,
      // Each item's output stays tiny: the outcome itself is in S3, and a Map gathers every output.
      resultSelector: { "accountId.$": "$.accountId", "status.$": "$.status" },
      retryOnServiceExceptions: false,
    });
    withTransientRetry(auditTask);
    auditTask.addRetry({
      errors: [RETRYABLE_ACCOUNT_ERROR],
      interval: Duration.seconds(30),
      maxAttempts: 2,
      backoffRate: 2,
      jitterStrategy: JitterType.FULL,
    });

    const describeFailure = new Pass(this, "DescribeAccountFailure", {
      parameters: {
        status: "failed",
        "accountId.$": "$.account.id",
        "accountName.$": "$.account.name",
        stage: "step-functions",
        reason: "error",
        "message.$": "States.Format('{}: {}', $.error.Error, $.error.Cause)",
      },
      resultPath: "$.outcome",
    });
    const recordFailure = new CallAwsService(this, "RecordAccountFailure", {
      service: "s3",
      action: "putObject",
      parameters: {
        Bucket: bucket.bucketName,
        Key: JsonPath.format(
          orgKeys.outcomePattern,
          JsonPath.stringAt("$.runPrefix"),
          JsonPath.stringAt("$.account.id"),
        ),
        Body: JsonPath.jsonToString(JsonPath.objectAt("$.outcome")),
        ContentType: "application/json; charset=utf-8",
      },
      iamResources: [bucket.arnForObjects(`${ORG_RUN_PREFIX}/*`)],
      iamAction: "s3:PutObject",
      resultSelector: { status: "failed" },
    });
    recordFailure.addRetry({
      errors: [Errors.ALL],
      interval: Duration.seconds(2),
      maxAttempts: 3,
      backoffRate: 2,
      jitterStrategy: JitterType.FULL,
    });
    // Even the record can fail: the aggregate then reports the account as "no outcome recorded".
    recordFailure.addCatch(new Pass(this, "FailureNotRecorded", { parameters: { status: "unrecorded" } }), {
      errors: [Errors.ALL],
    });
    auditTask.addCatch(describeFailure.next(recordFailure), { errors: [Errors.ALL], resultPath: "$.error" });

    const aggregateTask = new LambdaInvoke(this, "AggregateTask", {
      stateName: "Aggregate",
      lambdaFunction: aggregateFn,
      payload: TaskInput.fromObject({
        runId: JsonPath.stringAt("$.listing.runId"),
        startedAt: JsonPath.stringAt("$.listing.startedAt"),
        runPrefix: JsonPath.stringAt("$.listing.runPrefix"),
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
    });
    withTransientRetry(aggregateTask);

    const mapProps = {
      itemsPath: "$.listing.accounts",
      itemSelector: {
        "account.$": "$$.Map.Item.Value",
        "runId.$": "$.listing.runId",
        "startedAt.$": "$.listing.startedAt",
        "runPrefix.$": "$.listing.runPrefix",
      },
      maxConcurrency: org.maxConcurrency,
      // The outcomes are in S3; the state keeps only the listing for Aggregate (the 256 KB state limit).
      resultPath: JsonPath.DISCARD,
    };
    const fanOut =
      org.mapMode === "distributed"
        ? new DistributedMap(this, "AuditEachAccount", {
            ...mapProps,
            // Each account is its own child execution: a 10-minute audit needs STANDARD (EXPRESS stops at 5).
            mapExecutionType: StateMachineType.STANDARD,
            // Item failures are caught and recorded inside; a child that still fails must not stop the others.
            toleratedFailurePercentage: 100,
            resultWriterV2: new ResultWriterV2({ bucket, prefix: MAP_RESULTS_PREFIX }),
            label: "AuditEachAccount",
          })
        : new MapState(this, "AuditEachAccount", mapProps);
    fanOut.itemProcessor(auditTask);
    // A Map that fails as a whole (e.g. a data limit) still reaches Aggregate, which names every account without an outcome.
    fanOut.addCatch(aggregateTask, { errors: [Errors.ALL], resultPath: "$.fanOutError" });

    const logGroup = new LogGroup(this, "StateMachineLogs", {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, "OrgAudit", {
      comment: "Minewatch: audits every member account of the organization and sends one report",
      definitionBody: DefinitionBody.fromChainable(listTask.next(fanOut).next(aggregateTask)),
      stateMachineType: StateMachineType.STANDARD,
      // 5,000 accounts at 50 at once and ~2 minutes each is under 4 hours; a stuck run is cut off.
      timeout: Duration.hours(6),
      tracingEnabled: true,
      // ALL events without execution data: the inputs carry no secrets, but reports belong in the bucket.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
    });

    // -- Schedule and alarms ---------------------------------------------------------------------
    const [hour, minute] = settings.dailyAt.split(":");
    new Schedule(this, "Daily", {
      description: "Minewatch organization daily audit",
      schedule: ScheduleExpression.cron({ hour, minute, timeZone: TimeZone.of(settings.timeZone) }),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        // The run takes its id and time from the execution; the input is not read.
        input: ScheduleTargetInput.fromObject({}),
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
      }),
    });
    new AuditAlarms(this, "AggregateAlarms", {
      function: aggregateFn,
      topic: this.findings.topic,
      timeout: aggregateTimeout,
    });
    new AuditAlarms(this, "AuditAccountAlarms", {
      function: auditFn,
      topic: this.findings.topic,
      timeout: auditTimeout,
    });
    const failed = new Alarm(this, "RunFailed", {
      alarmDescription:
        "The Minewatch organization run failed (accounts could not be listed or the report could not be sent): no organization email today. See the execution history.",
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    failed.addAlarmAction(new SnsAction(this.findings.topic));
    const timedOut = new Alarm(this, "RunTimedOut", {
      alarmDescription: "The Minewatch organization run hit its 6-hour timeout: no organization email today.",
      metric: this.stateMachine.metricTimedOut({ period: Duration.minutes(5), statistic: "Sum" }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    timedOut.addAlarmAction(new SnsAction(this.findings.topic));

    new CfnOutput(this, "StateMachineArn", {
      value: this.stateMachine.stateMachineArn,
      description: "Start a run by hand: aws stepfunctions start-execution --state-machine-arn <this>",
    });
    new CfnOutput(this, "OrgAuditRoleArn", {
      value: auditFn.role?.roleArn ?? "",
      description: "The only principal the member roles trust (StackSet parameter OrgAccountId is this account)",
    });
    new CfnOutput(this, "ReportBucketName", { value: bucket.bucketName });
    new CfnOutput(this, "FindingsTopicArn", { value: this.findings.topic.topicArn });
  }
}

/** Retries a Lambda task when the Lambda service, not the code, failed or throttled: backoff with jitter. */
function withTransientRetry(task: TaskStateBase): void {
  task.addRetry({
    errors: LAMBDA_TRANSIENT_ERRORS,
    interval: Duration.seconds(5),
    maxAttempts: 4,
    backoffRate: 2,
    maxDelay: Duration.minutes(2),
    jitterStrategy: JitterType.FULL,
  });
}
