/**
 * cdk-nag AwsSolutions findings that Minewatch acknowledges, each one precisely (rule and finding)
 * and with the reason it is right here. Anything else fails synthesis and tests/infra/nag.test.ts.
 */
import { type CfnResource, Validations } from "aws-cdk-lib";
import { STATE_DIR } from "../lambda/state/state-files.js";
import { AUDIT_READ_PERMISSIONS } from "./audit-permissions.js";
import type { MinewatchStack } from "./minewatch-stack.js";

/**
 * The audit role's wildcard resources, one acknowledgement per resource pattern, generated from
 * lib/audit-permissions.ts with the reasons written there: a permission added there is acknowledged
 * with its own reason, never with a blanket exemption. Shared with the organization stacks.
 */
export function readPermissionAcknowledgements(): Array<{ id: string; reason: string }> {
  const scope = { partition: "<AWS::Partition>", account: "<AWS::AccountId>" };
  const byId = new Map<string, string>();
  for (const permission of AUDIT_READ_PERMISSIONS) {
    for (const resource of permission.resources(scope)) {
      if (!resource.includes("*")) continue;
      const id = `AwsSolutions-IAM5[Resource::${resource}]`;
      const reason = `${permission.actions.join(", ")}: ${permission.reason}`;
      byId.set(id, byId.has(id) ? `${byId.get(id)} ${reason}` : reason);
    }
  }
  return [...byId].map(([id, reason]) => ({ id, reason }));
}

export function applyNagAcknowledgements(stack: MinewatchStack): void {
  const fn = stack.auditFunction.function;
  const logicalId = (resource: unknown) => stack.getLogicalId(resource as CfnResource);
  const role = fn.role;
  if (role) {
    Validations.of(role).acknowledge(
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs: the AWS-maintained minimum for any Lambda function.",
      },
      ...readPermissionAcknowledgements(),
      ...webScanAcknowledgements(stack),
      {
        id: `AwsSolutions-IAM5[Resource::<${logicalId(stack.reports.bucket.node.defaultChild)}.Arn>/reports/*/${STATE_DIR}/*]`,
        reason:
          "s3:GetObject on the state folder of each audited account in Minewatch's own bucket: the small files one run leaves for the next (Cost Explorer data for the sweeps, pages' script sources).",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${logicalId(stack.reports.bucket.node.defaultChild)}.Arn>/reports/*]`,
        reason:
          "s3:PutObject only, under the reports/ prefix of Minewatch's own bucket: each run writes new report and snapshot objects with run-specific keys.",
      },
    );
  }
  // EventBridge Scheduler's role may invoke the audit function and its versions (CDK's LambdaInvoke target).
  Validations.of(stack).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalId(fn.node.defaultChild)}.Arn>:*]`,
    reason:
      "The scheduler role may invoke only the Minewatch audit function (any version or alias of it); that is CDK's LambdaInvoke target grant.",
  });
  Validations.of(stack.reports.bucket).acknowledge({
    id: "AwsSolutions-S1",
    reason:
      "The report bucket is written only by the Minewatch function and read by responders; a second bucket for server access logs would double the stack for little gain. Enable CloudTrail S3 data events to audit reads.",
  });
}

/** Object reads of the in-browser miner scan exist only when the operator configured them. */
function webScanAcknowledgements(stack: MinewatchStack): Array<{ id: string; reason: string }> {
  const { webScanBuckets, webScanAllWebsiteBuckets } = stack.settings;
  if (webScanAllWebsiteBuckets) {
    return [
      {
        id: "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::*/*]",
        reason:
          "The operator opted in with webScanAllWebsiteBuckets: s3:GetObject on every bucket, because IAM cannot scope to buckets with website hosting; the scan reads only HTML and JavaScript of discovered sites.",
      },
    ];
  }
  return webScanBuckets.map((name) => ({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${name}/*]`,
    reason: `s3:GetObject on the objects of ${name}, a bucket the operator named in webScanBuckets: the in-browser miner scan reads its HTML and JavaScript.`,
  }));
}
