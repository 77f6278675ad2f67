/**
 * cdk-nag AwsSolutions findings the organization stacks acknowledge, each precisely (rule and
 * finding) and with the reason it is right here. Anything else fails synthesis and
 * tests/infra/org.test.ts.
 */
import { type CfnResource, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { MEMBER_ROLE_NAME } from "../../lambda/org/environment.js";
import { readPermissionAcknowledgements } from "../nag-acknowledgements.js";
import type { MinewatchMemberRoleStack } from "./member-role.js";
import type { MinewatchOrgStack } from "./org-audit-stack.js";

const BASIC_EXECUTION_ROLE = {
  id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
  reason:
    "AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs: the AWS-maintained minimum for any Lambda function.",
};

export function applyMemberRoleNagAcknowledgements(memberStack: MinewatchMemberRoleStack): void {
  Validations.of(memberStack.memberRole.role).acknowledge(...readPermissionAcknowledgements());
}

export function applyOrgNagAcknowledgements(orgStack: MinewatchOrgStack): void {
  const logicalId = (construct: IConstruct | undefined) =>
    construct ? orgStack.getLogicalId(construct as CfnResource) : "(none)";
  const bucketArn = `<${logicalId(orgStack.reports.bucket.node.defaultChild)}.Arn>`;
  const orgRuns = {
    id: `AwsSolutions-IAM5[Resource::${bucketArn}/org-runs/*]`,
    reason:
      "Only under the org-runs/ prefix of Minewatch's own bucket: each run writes (and the aggregate reads) run-specific keys (accounts.json, outcomes/<account>.json, the organization report).",
  };
  const reports = {
    id: `AwsSolutions-IAM5[Resource::${bucketArn}/reports/*]`,
    reason:
      "Only under the reports/ prefix of Minewatch's own bucket: one report and snapshot per member account and run, keys named by account and run id.",
  };

  for (const fn of [orgStack.listAccounts, orgStack.auditAccount, orgStack.aggregate]) {
    if (fn.function.role) Validations.of(fn.function.role).acknowledge(BASIC_EXECUTION_ROLE);
  }
  const listRole = orgStack.listAccounts.function.role;
  if (listRole) {
    Validations.of(listRole).acknowledge(
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason: "organizations:ListAccounts only: Organizations list actions support no resource-level permissions.",
      },
      orgRuns,
    );
  }
  const auditRole = orgStack.auditAccount.function.role;
  if (auditRole) {
    Validations.of(auditRole).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${MEMBER_ROLE_NAME}]`,
        reason:
          "sts:AssumeRole on the Minewatch member role of any member account (accounts join and leave the organization); each member role trusts only this role, and only with the external id.",
      },
      orgRuns,
      reports,
    );
  }
  const aggregateRole = orgStack.aggregate.function.role;
  if (aggregateRole) {
    Validations.of(aggregateRole).acknowledge(
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "ce:GetCostAndUsage and ce:GetAnomalies only: Cost Explorer reads are account-wide (the payer sees its linked accounts) and support no resource-level permissions.",
      },
      orgRuns,
      reports,
    );
  }

  const stateMachine = orgStack.stateMachine;
  const functionVersions = [orgStack.listAccounts, orgStack.auditAccount, orgStack.aggregate].map((fn) => ({
    id: `AwsSolutions-IAM5[Resource::<${logicalId(fn.function.node.defaultChild)}.Arn>:*]`,
    reason:
      "CDK's LambdaInvoke grant: the state machine may invoke this Minewatch function (any version or alias of it) and no other.",
  }));
  Validations.of(stateMachine.role).acknowledge(
    ...functionVersions,
    {
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "Step Functions' own log delivery (logs:*LogDelivery, which support no resource-level permissions) and X-Ray tracing (xray:PutTraceSegments and related, resource * by design).",
    },
    orgRuns,
  );
  if (orgStack.mapMode === "distributed") {
    Validations.of(stateMachine.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${logicalId(orgStack.reports.bucket.node.defaultChild)}>/*]`,
      reason:
        "CDK's grant for the Distributed Map's result writer (s3:PutObject, GetObject and multipart clean-up on the report bucket): Step Functions writes the Map Run's manifest and result files, under org-runs/map-results/.",
    });
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${logicalId(stateMachine.node.defaultChild)}"}]}]}`;
    Validations.of(stateMachine).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${executions}:*]`,
        reason:
          "CDK's Distributed Map policy: the state machine describes and stops its own child executions (one per account), whose names are only known at run time.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::${executions}/AuditEachAccount:*]`,
        reason:
          "CDK's Distributed Map policy: the state machine may redrive its own Map Run (AuditEachAccount) after a failure.",
      },
    );
  }
  Validations.of(orgStack.reports.bucket).acknowledge({
    id: "AwsSolutions-S1",
    reason:
      "The report bucket is written only by the Minewatch functions and state machine and read by responders; a second bucket for server access logs would double the stack for little gain. Enable CloudTrail S3 data events to audit reads.",
  });
}
