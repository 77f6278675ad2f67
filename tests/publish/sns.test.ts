import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  type DefaultSummary,
  type FindingsMessage,
  MessageTooLargeError,
  publishFindings,
  snsPublishBytes,
} from "../../lambda/publish/sns.js";

const sns = mockClient(SNSClient);
const client = new SNSClient({
  region: "eu-west-1",
  credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" },
});
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:minewatch-findings";

function summary(overrides: Partial<DefaultSummary> = {}): DefaultSummary {
  return {
    tool: "minewatch",
    mode: "daily",
    runId: "20260310T060000Z-9f1c2d3e",
    accountId: "123456789012",
    generatedAt: "2026-03-10T06:00:00.000Z",
    worstSeverity: "critical",
    findings: 2,
    new: 1,
    ongoing: 1,
    resolved: 0,
    estimatedHourlyCostUsd: 41.2,
    coverageComplete: true,
    reportLocation: "s3://bucket/reports/x.report.json",
    newFindingIds: ["mw-1"],
    ...overrides,
  };
}

function message(overrides: Partial<FindingsMessage> = {}): FindingsMessage {
  return {
    topicArn: TOPIC,
    subject: "Minewatch CRITICAL: 1 new, 1 ongoing - est. $41/h - acct 123456789012",
    emailBody: "Minewatch Daily audit\n\nNEW FINDINGS (1)",
    summary: summary(),
    severity: "critical",
    newSeverity: "high",
    ...overrides,
  };
}

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "abc-123" });
});

describe("publishFindings", () => {
  it("sends one JSON-structured message with an email body, a machine summary and filterable attributes", async () => {
    const result = await publishFindings(client, message());
    expect(result).toEqual({ messageId: "abc-123" });
    expect(sns).toHaveReceivedCommandOnce(PublishCommand);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TopicArn: TOPIC,
      Subject: "Minewatch CRITICAL: 1 new, 1 ongoing - est. $41/h - acct 123456789012",
      MessageStructure: "json",
      MessageAttributes: {
        severity: { DataType: "String", StringValue: "critical" },
        newSeverity: { DataType: "String", StringValue: "high" },
        mode: { DataType: "String", StringValue: "daily" },
      },
    });
    const parsed = JSON.parse(input?.Message ?? "") as { default: string; email: string };
    expect(parsed.email).toBe("Minewatch Daily audit\n\nNEW FINDINGS (1)");
    expect(JSON.parse(parsed.default)).toEqual(summary());
  });

  it('sets severity "none" when there is nothing to filter on', async () => {
    await publishFindings(client, message({ severity: null, newSeverity: null }));
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: expect.objectContaining({
        severity: { DataType: "String", StringValue: "none" },
        newSeverity: { DataType: "String", StringValue: "none" },
      }),
    });
  });

  it("caps the ids in the default summary", async () => {
    const ids = Array.from({ length: 500 }, (_, n) => `mw-${n}`);
    await publishFindings(client, message({ summary: summary({ newFindingIds: ids }) }));
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    const parsed = JSON.parse(JSON.parse(input?.Message ?? "").default) as DefaultSummary;
    expect(parsed.newFindingIds).toEqual(ids.slice(0, 50));
  });

  it("refuses, without calling SNS, a message over 256 KB", async () => {
    const big = message({ emailBody: "x".repeat(300 * 1024) });
    expect(snsPublishBytes(big)).toBeGreaterThan(256 * 1024);
    await expect(publishFindings(client, big)).rejects.toBeInstanceOf(MessageTooLargeError);
    expect(sns).not.toHaveReceivedCommand(PublishCommand);
  });

  it("lets an SNS failure through to the caller", async () => {
    sns.on(PublishCommand).rejects(Object.assign(new Error("Topic does not exist"), { name: "NotFoundException" }));
    await expect(publishFindings(client, message())).rejects.toThrow("Topic does not exist");
  });
});
