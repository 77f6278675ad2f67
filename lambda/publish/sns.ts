/**
 * Publishes the findings email to the topic with MessageStructure "json": email subscribers get the
 * readable body, every other protocol (SQS, Lambda, HTTPS, a pager) gets a short machine-readable
 * summary. Message attributes let a subscription filter, e.g. a pager on `severity = critical`.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { jsonBytes, SNS_MAX_MESSAGE_BYTES } from "../report/email.js";
import type { Severity } from "../rules/types.js";

/** What non-email subscribers receive as `default`: small, stable, parseable. */
export interface DefaultSummary {
  tool: "minewatch";
  mode: string;
  runId: string;
  accountId: string;
  generatedAt: string;
  worstSeverity: Severity | null;
  findings: number;
  new: number;
  ongoing: number;
  resolved: number;
  estimatedHourlyCostUsd: number;
  coverageComplete: boolean;
  reportLocation: string;
  /** Ids of new findings, most severe first (at most 50; the report has them all). */
  newFindingIds: string[];
}

export interface FindingsMessage {
  topicArn: string;
  subject: string;
  emailBody: string;
  summary: DefaultSummary;
  /** Worst severity among this run's findings (null when none). */
  severity: Severity | null;
  /** Worst severity among findings that are new in this run (null when none). */
  newSeverity: Severity | null;
}

export const MAX_SUMMARY_IDS = 50;

export class MessageTooLargeError extends Error {
  override readonly name = "MessageTooLargeError";
}

/** The Message of a MessageStructure json publish: one string per protocol. */
export function snsMessageJson(summary: DefaultSummary, emailBody: string): string {
  return JSON.stringify({ default: JSON.stringify(summary), email: emailBody });
}

/** Size SNS counts against its 256 KB limit: message, subject and attributes. */
export function snsPublishBytes(message: FindingsMessage): number {
  const attributes = JSON.stringify(messageAttributes(message));
  return (
    Buffer.byteLength(snsMessageJson(message.summary, message.emailBody), "utf8") +
    Buffer.byteLength(message.subject, "utf8") +
    Buffer.byteLength(attributes, "utf8")
  );
}

function messageAttributes(message: FindingsMessage) {
  return {
    severity: { DataType: "String", StringValue: message.severity ?? "none" },
    newSeverity: { DataType: "String", StringValue: message.newSeverity ?? "none" },
    mode: { DataType: "String", StringValue: message.summary.mode },
    accountId: { DataType: "String", StringValue: message.summary.accountId },
  };
}

export async function publishFindings(sns: SNSClient, message: FindingsMessage): Promise<{ messageId: string }> {
  const summary = { ...message.summary, newFindingIds: message.summary.newFindingIds.slice(0, MAX_SUMMARY_IDS) };
  const bounded = { ...message, summary };
  const bytes = snsPublishBytes(bounded);
  if (bytes > SNS_MAX_MESSAGE_BYTES) {
    // renderEmail keeps the body within budget; reaching this is a bug, and SNS would reject it anyway.
    throw new MessageTooLargeError(
      `The SNS message is ${bytes} bytes, over the ${SNS_MAX_MESSAGE_BYTES}-byte limit (email body ${jsonBytes(message.emailBody)} bytes).`,
    );
  }
  const result = await sns.send(
    new PublishCommand({
      TopicArn: message.topicArn,
      Subject: message.subject,
      MessageStructure: "json",
      Message: snsMessageJson(summary, message.emailBody),
      MessageAttributes: messageAttributes(bounded),
    }),
  );
  return { messageId: result.MessageId ?? "" };
}
