/**
 * CloudTrail management events that matter for mining: who launched compute, who probed quotas or
 * DryRun, who created users and keys. Normalized from LookupEvents; request parameters are reduced
 * to a few named strings (never the full request: it can carry user data and secrets).
 */
import { z } from "zod";
import { awsRegion, isoDateTime } from "./common.js";

export const PrincipalSchema = z.object({
  /** userIdentity.type: Root, IAMUser, AssumedRole, FederatedUser, AWSService, AWSAccount, Unknown. */
  type: z.string(),
  /** The identity's ARN; for an assumed role the session ARN. */
  arn: z.string().optional(),
  accountId: z.string().optional(),
  userName: z.string().optional(),
  /** For assumed roles: the role's ARN (sessionContext.sessionIssuer.arn). */
  roleArn: z.string().optional(),
  accessKeyId: z.string().optional(),
  /** AWS service that acted on the principal's behalf (invokedBy). */
  invokedBy: z.string().optional(),
});

export const CloudTrailEventSchema = z.object({
  eventId: z.string(),
  eventTime: isoDateTime,
  eventName: z.string(),
  eventSource: z.string(),
  region: awsRegion,
  principal: PrincipalSchema,
  sourceIpAddress: z.string().optional(),
  userAgent: z.string().optional(),
  /** e.g. Client.DryRunOperation, Client.UnauthorizedOperation, AccessDenied. */
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  /** Resources the event names (LookupEvents Resources): instance ids, cluster ARNs... */
  resources: z.array(z.object({ type: z.string().optional(), id: z.string() })).default([]),
  /** Selected request/response values: instanceType, imageId, minCount, disableApiTermination, serviceCode, quotaCode, desiredValue, taskDefinition, image... */
  request: z.record(z.string(), z.string()).default({}),
});

export const CloudTrailSchema = z.object({
  /** Regions whose event history was read (coverage says why others were not). */
  regionsRead: z.array(z.string()).default([]),
  /** Event names looked up (one LookupEvents attribute per call). */
  eventNames: z.array(z.string()).default([]),
  events: z.array(CloudTrailEventSchema).default([]),
  /**
   * Start of the history read: the window start minus a lookback margin (so "first launch by this
   * principal" has something to compare with), never earlier than the 90-day event history.
   */
  lookupStart: isoDateTime.optional(),
  /**
   * Lookups that stopped at the page limit. LookupEvents returns newest first, so what is missing is
   * the history between lookupStart and oldestEventTime: "no earlier launch" is only known after it.
   */
  truncated: z
    .array(z.object({ region: z.string(), eventName: z.string(), oldestEventTime: isoDateTime.optional() }))
    .default([]),
});

export type Principal = z.infer<typeof PrincipalSchema>;
export type CloudTrailEvent = z.infer<typeof CloudTrailEventSchema>;
export type CloudTrail = z.infer<typeof CloudTrailSchema>;
