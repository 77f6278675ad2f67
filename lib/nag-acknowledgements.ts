/**
 * cdk-nag AwsSolutions findings that Minewatch acknowledges, each with the reason it is right here.
 * Anything not acknowledged fails synthesis and the cdk-nag test (tests/infra/nag.test.ts).
 */
import { Validations } from "aws-cdk-lib";
import type { MinewatchStack } from "./minewatch-stack.js";

export function applyNagAcknowledgements(stack: MinewatchStack): void {
  const role = stack.auditFunction.function.role;
  if (role) {
    Validations.of(role).acknowledge(
      {
        id: "AwsSolutions-IAM4",
        reason:
          "AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs; it is the AWS-maintained minimum for a Lambda function.",
      },
      {
        id: "AwsSolutions-IAM5",
        reason:
          "Read-only EC2 Describe*, CloudWatch GetMetricData/ListMetrics and Cost Explorer reads support no resource-level permissions (see lib/audit-permissions.ts); user data is read for this account's instances in any region (instance/*); report objects are written under the bucket's own keys (bucket/*).",
      },
    );
  }
  Validations.of(stack.reports.bucket).acknowledge({
    id: "AwsSolutions-S1",
    reason:
      "The report bucket is written only by the Minewatch function and read by responders; a second bucket for server access logs would double the stack for little gain. Enable CloudTrail S3 data events to audit reads.",
  });
}
