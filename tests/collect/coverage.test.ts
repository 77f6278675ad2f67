import { CostExplorerServiceException } from "@aws-sdk/client-cost-explorer";
import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { CoverageRecorder, classifyAwsError } from "../../lambda/collect/coverage.js";
import { CoverageEntrySchema, type CoverageReason } from "../../lambda/core/snapshot.js";

function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: "client", $metadata: { httpStatusCode: 400 } });
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe("classifyAwsError", () => {
  const cases: Array<[string, unknown, CoverageReason]> = [
    [
      "IAM AccessDenied",
      named("AccessDenied", "User: arn:aws:iam::123456789012:user/audit is not authorized"),
      "access-denied",
    ],
    [
      "EC2 UnauthorizedOperation",
      ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
      "access-denied",
    ],
    [
      "AccessDeniedException from CloudWatch",
      named("AccessDeniedException", "not authorized to perform: cloudwatch:GetMetricData"),
      "access-denied",
    ],
    [
      "EC2 AuthFailure in a region the credentials do not reach",
      ec2Error("AuthFailure", "AWS was not able to validate the provided access credentials"),
      "access-denied",
    ],
    ["OptInRequired", ec2Error("OptInRequired", "You are not subscribed to this service."), "not-opted-in"],
    [
      "Cost Explorer never enabled",
      new CostExplorerServiceException({
        name: "AccessDeniedException",
        message: "User not enabled for cost explorer access",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      }),
      "cost-explorer-not-enabled",
    ],
    ["ThrottlingException", named("ThrottlingException", "Rate exceeded"), "throttled"],
    ["EC2 RequestLimitExceeded", ec2Error("RequestLimitExceeded", "Request limit exceeded."), "throttled"],
    ["SDK TimeoutError", named("TimeoutError", "Connection timed out after 5000 ms"), "timed-out"],
    [
      "socket ETIMEDOUT",
      Object.assign(new Error("connect ETIMEDOUT 52.94.0.1:443"), { code: "ETIMEDOUT" }),
      "timed-out",
    ],
    ["unknown service error", ec2Error("InternalError", "An internal error has occurred"), "error"],
    ["plain Error", new Error("something odd"), "error"],
    ["a thrown string", "boom", "error"],
  ];

  it.each(cases)("%s", (_label, error, reason) => {
    expect(classifyAwsError(error).reason).toBe(reason);
  });

  it("names the error in the message and keeps it to one short line", () => {
    const { message } = classifyAwsError(ec2Error("UnauthorizedOperation", `line one\nline two ${"x".repeat(500)}`));
    expect(message.startsWith("UnauthorizedOperation: line one line two")).toBe(true);
    expect(message).not.toContain("\n");
    expect(message.length).toBeLessThanOrEqual(300 + "UnauthorizedOperation: ".length);
  });

  it("says retries were spent on throttling", () => {
    expect(classifyAwsError(named("ThrottlingException", "Rate exceeded")).message).toBe(
      "ThrottlingException after retries: Rate exceeded",
    );
  });
});

describe("CoverageRecorder", () => {
  it("records ok, failed, partial and skipped entries that satisfy the snapshot schema", () => {
    const recorder = new CoverageRecorder();
    recorder.ok("eu-west-1", "ec2", "DescribeInstances", "12 instances");
    const reason = recorder.failed(
      "eu-west-1",
      "ec2",
      "DescribeInstanceTypes",
      ec2Error("UnauthorizedOperation", "no"),
    );
    recorder.partial("us-east-1", "cloudwatch", "GetMetricData", "throttled", "3 of 5 batches read");
    recorder.skipped("af-south-1", "ec2", "DescribeInstances", "not-opted-in", "region not enabled");

    expect(reason).toBe("access-denied");
    expect(recorder.entries).toEqual([
      { region: "eu-west-1", service: "ec2", api: "DescribeInstances", status: "ok", message: "12 instances" },
      {
        region: "eu-west-1",
        service: "ec2",
        api: "DescribeInstanceTypes",
        status: "failed",
        reason: "access-denied",
        message: "UnauthorizedOperation: no",
      },
      {
        region: "us-east-1",
        service: "cloudwatch",
        api: "GetMetricData",
        status: "partial",
        reason: "throttled",
        message: "3 of 5 batches read",
      },
      {
        region: "af-south-1",
        service: "ec2",
        api: "DescribeInstances",
        status: "skipped",
        reason: "not-opted-in",
        message: "region not enabled",
      },
    ]);
    for (const entry of recorder.entries) expect(CoverageEntrySchema.parse(entry)).toEqual(entry);
  });

  it("leaves the message out of an ok entry that has none", () => {
    const recorder = new CoverageRecorder();
    recorder.ok("global", "ce", "GetAnomalies");
    expect(recorder.entries[0]).toEqual({ region: "global", service: "ce", api: "GetAnomalies", status: "ok" });
  });
});
