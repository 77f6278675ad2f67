/**
 * CloudTrail records shaped like the real ones (userIdentity of Root, IAMUser with an AKIA key,
 * AssumedRole with an ASIA key and its sessionIssuer; RunInstances' instancesSet response; DryRun
 * and quota requests), the LookupEvents events that carry them, and the snapshot section the
 * collector makes of them. Tests state who did what, where and when; the rest is plausible.
 */
import type { Event as LookupEvent } from "@aws-sdk/client-cloudtrail";
import { normalizeEvent } from "../../lambda/collect/cloudtrail.js";
import type { CloudTrail, CloudTrailEvent } from "../../lambda/core/sections/cloudtrail.js";
import { ACCOUNT_ID } from "./snapshot-builder.js";

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Identity = { [key: string]: Json };
export type TrailRecord = { [key: string]: Json } & { eventID: string; eventTime: string; awsRegion: string };

export const VPS_IP = "185.220.101.34";
export const BOTO3_AGENT =
  "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.15.0-91-generic md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.0";
export const CONSOLE_AGENT = "AWS Internal";
export const CLI_AGENT =
  "aws-cli/2.15.10 Python/3.11.6 Linux/5.15.0 exe/x86_64.ubuntu.22 prompt/off command/ec2.run-instances";

let serial = 0;
/** A unique, uuid-shaped event id (deterministic within a test file). */
export function nextEventId(): string {
  serial += 1;
  const hex = serial.toString(16).padStart(12, "0");
  return `5f0e4c1a-7b2d-4e8f-9a3c-${hex}`;
}

export function rootIdentity(accessKeyId = "AKIA4ROOTKEY0EXAMPLE"): Identity {
  return {
    type: "Root",
    principalId: ACCOUNT_ID,
    arn: `arn:aws:iam::${ACCOUNT_ID}:root`,
    accountId: ACCOUNT_ID,
    accessKeyId,
  };
}

export function iamUserIdentity(userName: string, accessKeyId: string): Identity {
  return {
    type: "IAMUser",
    principalId: "AIDA4EXAMPLEUSERID01",
    arn: `arn:aws:iam::${ACCOUNT_ID}:user/${userName}`,
    accountId: ACCOUNT_ID,
    accessKeyId,
    userName,
  };
}

export function assumedRoleIdentity(roleName: string, sessionName: string, accessKeyId: string): Identity {
  return {
    type: "AssumedRole",
    principalId: `AROA4EXAMPLEROLEID01:${sessionName}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/${sessionName}`,
    accountId: ACCOUNT_ID,
    accessKeyId,
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: "AROA4EXAMPLEROLEID01",
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`,
        accountId: ACCOUNT_ID,
        userName: roleName,
      },
      webIdFederationData: {},
      attributes: { creationDate: "2026-03-09T23:58:11Z", mfaAuthenticated: "false" },
    },
  };
}

/** Auto Scaling replacing an instance: the service-linked role, invoked by the service. */
export function autoScalingIdentity(): Identity {
  return {
    ...assumedRoleIdentity(
      "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
      "AutoScaling",
      "ASIA4AUTOSCALING0001",
    ),
    invokedBy: "autoscaling.amazonaws.com",
  };
}

interface Common {
  identity: Identity;
  time: string;
  region?: string;
  sourceIp?: string;
  userAgent?: string;
}

function base(eventSource: string, eventName: string, c: Common): TrailRecord {
  return {
    eventVersion: "1.09",
    userIdentity: c.identity,
    eventTime: c.time.replace(/\.\d{3}Z$/, "Z"),
    eventSource,
    eventName,
    awsRegion: c.region ?? "us-east-1",
    sourceIPAddress: c.sourceIp ?? VPS_IP,
    userAgent: c.userAgent ?? BOTO3_AGENT,
    requestID: "0c7d7a9e-1b6f-4c55-9a3e-1f0d2c3b4a59",
    eventID: nextEventId(),
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT_ID,
    eventCategory: "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: "ec2.amazonaws.com",
    },
  };
}

export function runInstances(
  c: Common & { instanceIds: string[]; instanceType?: string; imageId?: string; userData?: string },
): TrailRecord {
  const instanceType = c.instanceType ?? "c5.4xlarge";
  const imageId = c.imageId ?? "ami-0c7217cdde317cfec";
  return {
    ...base("ec2.amazonaws.com", "RunInstances", c),
    requestParameters: {
      instancesSet: { items: [{ imageId, minCount: c.instanceIds.length, maxCount: c.instanceIds.length }] },
      instanceType,
      blockDeviceMapping: {},
      monitoring: { enabled: false },
      disableApiTermination: false,
      disableApiStop: false,
      clientToken: "7b0c3f2e-3f5e-4c1a-9c1e-2b9d1e0f4a11",
      ...(c.userData !== undefined ? { userData: c.userData } : {}),
    },
    responseElements: {
      requestId: "3f1a9b7c-2d4e-4f60-8a1b-9c0d1e2f3a4b",
      reservationId: "r-0a1b2c3d4e5f60718",
      ownerId: ACCOUNT_ID,
      groupSet: {},
      instancesSet: {
        items: c.instanceIds.map((instanceId, amiLaunchIndex) => ({
          instanceId,
          imageId,
          instanceState: { code: 0, name: "pending" },
          privateDnsName: `ip-172-31-20-${10 + amiLaunchIndex}.ec2.internal`,
          amiLaunchIndex,
          productCodes: {},
          instanceType,
          launchTime: Date.parse(c.time),
          placement: { availabilityZone: `${c.region ?? "us-east-1"}a`, tenancy: "default" },
          monitoring: { state: "disabled" },
          subnetId: "subnet-0123456789abcdef0",
          vpcId: "vpc-0f3e2d1c0b9a87654",
          privateIpAddress: `172.31.20.${10 + amiLaunchIndex}`,
          sourceDestCheck: true,
          networkInterfaceSet: {
            items: [
              {
                networkInterfaceId: "eni-0a1b2c3d4e5f60718",
                attachment: { attachmentId: "eni-attach-0a1b2c3d4e5f60718", deviceIndex: 0, status: "attaching" },
              },
            ],
          },
        })),
      },
    },
  };
}

export function dryRunInstances(c: Common & { instanceType?: string }): TrailRecord {
  return {
    ...base("ec2.amazonaws.com", "RunInstances", c),
    errorCode: "Client.DryRunOperation",
    errorMessage: "Request would have succeeded, but DryRun flag is set.",
    requestParameters: {
      instancesSet: { items: [{ imageId: "ami-0c7217cdde317cfec", minCount: 1, maxCount: 1 }] },
      instanceType: c.instanceType ?? "p3.16xlarge",
    },
    responseElements: null,
  };
}

export function unauthorizedRunInstances(c: Common): TrailRecord {
  return {
    ...base("ec2.amazonaws.com", "RunInstances", c),
    errorCode: "Client.UnauthorizedOperation",
    errorMessage:
      "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/ci-deploy is not authorized to perform: ec2:RunInstances. Encoded authorization failure message: 4b9c1e7d0a...",
    requestParameters: { instanceType: "g5.48xlarge" },
    responseElements: null,
  };
}

export function quotaIncrease(
  c: Common & { quotaCode: string; desiredValue: number; serviceCode?: string },
): TrailRecord {
  const serviceCode = c.serviceCode ?? "ec2";
  return {
    ...base("servicequotas.amazonaws.com", "RequestServiceQuotaIncrease", c),
    requestParameters: { serviceCode, quotaCode: c.quotaCode, desiredValue: c.desiredValue },
    responseElements: {
      requestedQuota: {
        id: "d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6",
        serviceCode,
        quotaCode: c.quotaCode,
        desiredValue: c.desiredValue,
        status: "PENDING",
        created: "Mar 10, 2026 12:01:33 AM",
      },
    },
  };
}

export function createUser(c: Common & { userName: string }): TrailRecord {
  return {
    ...base("iam.amazonaws.com", "CreateUser", { ...c, region: "us-east-1" }),
    requestParameters: { userName: c.userName },
    responseElements: {
      user: {
        path: "/",
        userName: c.userName,
        userId: "AIDA4EXAMPLENEWUSER1",
        arn: `arn:aws:iam::${ACCOUNT_ID}:user/${c.userName}`,
        createDate: "Mar 10, 2026 12:05:12 AM",
      },
    },
  };
}

export function createAccessKey(c: Common & { userName: string; newAccessKeyId: string }): TrailRecord {
  return {
    ...base("iam.amazonaws.com", "CreateAccessKey", { ...c, region: "us-east-1" }),
    requestParameters: { userName: c.userName },
    responseElements: {
      accessKey: {
        userName: c.userName,
        accessKeyId: c.newAccessKeyId,
        status: "Active",
        createDate: "Mar 10, 2026 12:05:14 AM",
      },
    },
  };
}

export function attachUserPolicy(c: Common & { userName: string; policyArn: string }): TrailRecord {
  return {
    ...base("iam.amazonaws.com", "AttachUserPolicy", { ...c, region: "us-east-1" }),
    requestParameters: { userName: c.userName, policyArn: c.policyArn },
    responseElements: null,
  };
}

export function runTask(c: Common & { taskArn: string; cluster: string; taskDefinition: string }): TrailRecord {
  const clusterArn = `arn:aws:ecs:${c.region ?? "us-east-1"}:${ACCOUNT_ID}:cluster/${c.cluster}`;
  return {
    ...base("ecs.amazonaws.com", "RunTask", c),
    requestParameters: { cluster: c.cluster, count: 1, launchType: "FARGATE", taskDefinition: c.taskDefinition },
    responseElements: {
      tasks: [
        {
          taskArn: c.taskArn,
          clusterArn,
          taskDefinitionArn: `arn:aws:ecs:${c.region ?? "us-east-1"}:${ACCOUNT_ID}:task-definition/${c.taskDefinition}`,
          cpu: "4096",
          memory: "8192",
          launchType: "FARGATE",
          lastStatus: "PROVISIONING",
        },
      ],
      failures: [],
    },
  };
}

/** The LookupEvents event that carries `record`, with the summary fields LookupEvents adds. */
export function lookupEvent(record: TrailRecord): LookupEvent {
  const identity = (record.userIdentity ?? {}) as Identity;
  const resources: { ResourceType: string; ResourceName: string }[] = [];
  const response = record.responseElements as { instancesSet?: { items?: { instanceId: string }[] } } | null;
  for (const item of response?.instancesSet?.items ?? []) {
    resources.push({ ResourceType: "AWS::EC2::Instance", ResourceName: item.instanceId });
  }
  return {
    EventId: record.eventID,
    EventName: String(record.eventName),
    ReadOnly: "false",
    ...(typeof identity.accessKeyId === "string" ? { AccessKeyId: identity.accessKeyId } : {}),
    EventTime: new Date(record.eventTime),
    EventSource: String(record.eventSource),
    ...(typeof identity.userName === "string" ? { Username: identity.userName } : {}),
    Resources: resources,
    CloudTrailEvent: JSON.stringify(record),
  };
}

/** What the collector stores for `records`. */
export function normalized(records: TrailRecord[]): CloudTrailEvent[] {
  return records.map((record) => {
    const event = normalizeEvent(lookupEvent(record), record.awsRegion);
    if (!event) throw new Error(`fixture ${record.eventID} did not normalize`);
    return event;
  });
}

/** A snapshot's cloudTrail section holding `records`, read since `lookupStart`. */
export function cloudTrailSection(records: TrailRecord[], lookupStart: string): CloudTrail {
  return {
    regionsRead: [...new Set(records.map((r) => r.awsRegion))].sort(),
    eventNames: [...new Set(records.map((r) => String(r.eventName)))].sort(),
    events: normalized(records),
    lookupStart,
    truncated: [],
  };
}

export function enableTerminationProtection(c: Common & { instanceId: string }): TrailRecord {
  return {
    ...base("ec2.amazonaws.com", "ModifyInstanceAttribute", c),
    requestParameters: { instanceId: c.instanceId, disableApiTermination: { value: true } },
    responseElements: { requestId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", _return: true },
  };
}
