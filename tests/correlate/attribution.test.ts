import { describe, expect, it } from "vitest";
import type { Principal } from "../../lambda/core/sections/cloudtrail.js";
import {
  activePrincipals,
  attributeResources,
  isProgrammaticAgent,
  launchHistoryKnownSince,
  principalActivity,
  principalKey,
} from "../../lambda/correlate/attribution.js";
import {
  assumedRoleIdentity,
  attachUserPolicy,
  autoScalingIdentity,
  BOTO3_AGENT,
  CONSOLE_AGENT,
  cloudTrailSection,
  createAccessKey,
  createUser,
  dryRunInstances,
  enableTerminationProtection,
  iamUserIdentity,
  quotaIncrease,
  rootIdentity,
  runInstances,
  runTask,
  unauthorizedRunInstances,
  VPS_IP,
} from "../support/cloudtrail-events.js";
import { ACCOUNT_ID, buildSnapshot, daysAgo, hoursAgo, instance } from "../support/snapshot-builder.js";

const LEAKED_KEY = "AKIA4EXAMPLECIDEPLOY";
const USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/ml-pipeline`;
const leaked = iamUserIdentity("ci-deploy", LEAKED_KEY);
const mlSession = (n: number) => assumedRoleIdentity("ml-pipeline", `nightly-${n}`, `ASIA4EXAMPLEMLSESS0${n}`);
const TASK_ARN = `arn:aws:ecs:eu-central-1:${ACCOUNT_ID}:task/miners/4f1c0b2a9d8e4c7b8a6f5e4d3c2b1a09`;

/** The leaked key's night: probes, launches in two regions and ECS, termination protection, a spare user. */
function incidentRecords() {
  return [
    quotaIncrease({ identity: leaked, time: hoursAgo(6.2), quotaCode: "L-DB2E81BA", desiredValue: 192 }),
    unauthorizedRunInstances({ identity: leaked, time: hoursAgo(6.15), region: "ap-south-1" }),
    dryRunInstances({ identity: leaked, time: hoursAgo(6.1), region: "us-east-2" }),
    runInstances({
      identity: leaked,
      time: hoursAgo(6),
      region: "us-east-2",
      instanceIds: ["i-0a00000000000001a", "i-0a00000000000002a"],
      instanceType: "g4dn.12xlarge",
    }),
    runInstances({ identity: leaked, time: hoursAgo(5.9), region: "sa-east-1", instanceIds: ["i-0a00000000000003a"] }),
    runTask({
      identity: leaked,
      time: hoursAgo(5.8),
      region: "eu-central-1",
      taskArn: TASK_ARN,
      cluster: "miners",
      taskDefinition: "xmr:1",
    }),
    enableTerminationProtection({
      identity: leaked,
      time: hoursAgo(5.7),
      region: "us-east-2",
      instanceId: "i-0a00000000000001a",
    }),
    createUser({ identity: leaked, time: hoursAgo(5.5), userName: "backup-svc" }),
    createAccessKey({
      identity: leaked,
      time: hoursAgo(5.49),
      userName: "backup-svc",
      newAccessKeyId: "AKIA4EXAMPLEBACKUP01",
    }),
    attachUserPolicy({
      identity: leaked,
      time: hoursAgo(5.48),
      userName: "backup-svc",
      policyArn: "arn:aws:iam::aws:policy/AdministratorAccess",
    }),
  ];
}

/** The ML pipeline's nightly runs: one last week, one in the window, each a new session. */
function pipelineRecords() {
  return [
    runInstances({
      identity: mlSession(1),
      time: daysAgo(3),
      region: "eu-west-1",
      instanceIds: ["i-0b00000000000001a"],
      instanceType: "p4d.24xlarge",
      sourceIp: "states.amazonaws.com",
      userAgent: "states.amazonaws.com",
    }),
    runInstances({
      identity: mlSession(2),
      time: hoursAgo(5),
      region: "eu-west-1",
      instanceIds: ["i-0b00000000000002a"],
      instanceType: "p4d.24xlarge",
      sourceIp: "states.amazonaws.com",
      userAgent: "states.amazonaws.com",
    }),
  ];
}

function snapshotWith(records = [...incidentRecords(), ...pipelineRecords()]) {
  return buildSnapshot({ cloudTrail: cloudTrailSection(records, daysAgo(8)) });
}

describe("principalKey", () => {
  const cases: { name: string; principal: Principal; key: string }[] = [
    {
      name: "root by account",
      principal: {
        type: "Root",
        arn: `arn:aws:iam::${ACCOUNT_ID}:root`,
        accountId: ACCOUNT_ID,
        accessKeyId: "AKIA4ROOTKEY0EXAMPLE",
      },
      key: `root:${ACCOUNT_ID}`,
    },
    {
      name: "root without account id, from the ARN",
      principal: { type: "Root", arn: `arn:aws:iam::${ACCOUNT_ID}:root` },
      key: `root:${ACCOUNT_ID}`,
    },
    {
      name: "IAM user by ARN, whatever key",
      principal: { type: "IAMUser", arn: USER_ARN, userName: "ci-deploy", accessKeyId: "AKIA4OTHERKEY0000001" },
      key: USER_ARN,
    },
    {
      name: "assumed role by role, whatever session",
      principal: {
        type: "AssumedRole",
        arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/ml-pipeline/x`,
        roleArn: ROLE_ARN,
        accessKeyId: "ASIA4EXAMPLEMLSESS09",
      },
      key: ROLE_ARN,
    },
    {
      name: "AWS service",
      principal: { type: "AWSService", invokedBy: "autoscaling.amazonaws.com" },
      key: "service:autoscaling.amazonaws.com",
    },
    {
      name: "unknown with a user name only",
      principal: { type: "Unknown", userName: "ci-deploy" },
      key: "Unknown:ci-deploy",
    },
  ];
  it.each(cases)("$name", ({ principal, key }) => {
    expect(principalKey(principal)).toBe(key);
  });
});

describe("attributeResources", () => {
  it("names the leaked key for its instance: key, source, agent, the tying events, and its first call (a probe)", () => {
    const snapshot = snapshotWith();
    const [attribution, ...rest] = attributeResources(
      [{ type: "ec2-instance", id: "i-0a00000000000001a", region: "us-east-2" }],
      snapshot,
    );
    expect(rest).toEqual([]);
    expect(attribution).toMatchObject({
      principalType: "IAMUser",
      principalArn: USER_ARN,
      userName: "ci-deploy",
      accessKeyIds: [LEAKED_KEY],
      sourceIps: [VPS_IP],
      userAgents: [BOTO3_AGENT],
      firstCallAt: hoursAgo(6.2),
    });
    expect(attribution?.sessionArn).toBeUndefined();
    // RunInstances created it; ModifyInstanceAttribute protected it. The DryRun named nothing.
    expect(attribution?.events.map((e) => [e.eventName, e.region])).toEqual([
      ["RunInstances", "us-east-2"],
      ["ModifyInstanceAttribute", "us-east-2"],
    ]);
  });

  it("one attribution per principal, earliest first; bare ids and ARNs work", () => {
    const snapshot = snapshotWith();
    const attributions = attributeResources(["i-0b00000000000002a", "i-0a00000000000003a", TASK_ARN], snapshot);
    expect(attributions.map((a) => [a.principalType, a.principalArn])).toEqual([
      ["IAMUser", USER_ARN],
      ["AssumedRole", ROLE_ARN],
    ]);
    const role = attributions[1];
    expect(role?.sessionArn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/ml-pipeline/nightly-2`);
    expect(role?.accessKeyIds).toEqual(["ASIA4EXAMPLEMLSESS02"]);
    expect(attributions[0]?.events.map((e) => e.eventName)).toEqual(["RunInstances", "RunTask"]);
  });

  it("returns nothing for resources CloudTrail does not name, or without a CloudTrail section", () => {
    expect(attributeResources(["i-0c00000000000001a"], snapshotWith())).toEqual([]);
    expect(attributeResources(["i-0a00000000000001a"], buildSnapshot())).toEqual([]);
    expect(attributeResources([], snapshotWith())).toEqual([]);
  });

  it("names the Auto Scaling service role for an instance it replaced (the ASG's creator is found through the group)", () => {
    const snapshot = snapshotWith([
      runInstances({
        identity: autoScalingIdentity(),
        time: hoursAgo(2),
        region: "us-east-2",
        instanceIds: ["i-0d00000000000001a"],
        sourceIp: "autoscaling.amazonaws.com",
        userAgent: "autoscaling.amazonaws.com",
      }),
    ]);
    const [attribution] = attributeResources(["i-0d00000000000001a"], snapshot);
    expect(attribution?.principalArn).toContain("AWSServiceRoleForAutoScaling");
  });
});

describe("principalActivity", () => {
  it("gathers the whole blast radius of the leaked key", () => {
    const activity = principalActivity(snapshotWith(), USER_ARN);
    expect(activity).toBeDefined();
    expect(activity?.regions).toEqual(["ap-south-1", "eu-central-1", "sa-east-1", "us-east-1", "us-east-2"]);
    expect(activity?.launches.map((e) => e.eventName)).toEqual(["RunInstances", "RunInstances", "RunTask"]);
    expect(activity?.launchedResources).toEqual([
      { type: "ec2-instance", id: "i-0a00000000000001a", region: "us-east-2" },
      { type: "ec2-instance", id: "i-0a00000000000002a", region: "us-east-2" },
      { type: "ec2-instance", id: "i-0a00000000000003a", region: "sa-east-1" },
      { type: "ecs-task", id: TASK_ARN, region: "eu-central-1" },
    ]);
    expect(activity?.dryRuns).toHaveLength(1);
    expect(activity?.quotaRequests.map((e) => e.request.quotaCode)).toEqual(["L-DB2E81BA"]);
    expect(activity?.unauthorized).toHaveLength(1);
    expect(activity?.iamPersistence.map((e) => e.eventName)).toEqual([
      "CreateUser",
      "CreateAccessKey",
      "AttachUserPolicy",
    ]);
    expect(activity?.iamPersistence[1]?.request.accessKeyId).toBe("AKIA4EXAMPLEBACKUP01");
    expect(activity?.terminationProtection.map((e) => e.request.instanceId)).toEqual(["i-0a00000000000001a"]);
    expect(activity?.launchesBefore).toEqual([]);
    expect(activity?.firstCallAt).toBe(hoursAgo(6.2));
    expect(activity?.lastCallAt).toBe(hoursAgo(5.48));
  });

  it("separates a role's launches before the window from those in it", () => {
    const activity = principalActivity(snapshotWith(), ROLE_ARN);
    expect(activity?.launches.map((e) => e.principal.accessKeyId)).toEqual(["ASIA4EXAMPLEMLSESS02"]);
    expect(activity?.launchesBefore.map((e) => e.principal.accessKeyId)).toEqual(["ASIA4EXAMPLEMLSESS01"]);
  });

  it("extends back to a still-running launch before the window, with its lead-up", () => {
    const records = [
      dryRunInstances({ identity: leaked, time: hoursAgo(31), region: "us-east-2" }),
      runInstances({ identity: leaked, time: hoursAgo(30), region: "us-east-2", instanceIds: ["i-0a00000000000001a"] }),
      createUser({ identity: leaked, time: hoursAgo(29), userName: "backup-svc" }),
    ];
    const snapshot = buildSnapshot({
      instances: [instance({ instanceId: "i-0a00000000000001a", region: "us-east-2", launchTime: hoursAgo(30) })],
      cloudTrail: cloudTrailSection(records, daysAgo(8)),
    });
    const activity = principalActivity(snapshot, USER_ARN);
    expect(activity?.since).toBe(hoursAgo(54));
    expect(activity?.events.map((e) => e.eventName)).toEqual(["RunInstances", "RunInstances", "CreateUser"]);
    expect(activity?.launchedResources.map((r) => r.id)).toEqual(["i-0a00000000000001a"]);
    expect(activity?.dryRuns).toHaveLength(1);
    expect(activePrincipals(snapshot)).toEqual([USER_ARN]);
    // Without the running instance it is yesterday's news.
    expect(principalActivity({ ...snapshot, instances: [] }, USER_ARN)).toBeUndefined();
  });

  it("is undefined for a principal with no call in the window; activePrincipals lists callers by first call", () => {
    const snapshot = snapshotWith([
      ...pipelineRecords().slice(0, 1),
      runInstances({ identity: rootIdentity(), time: hoursAgo(1), instanceIds: ["i-0e00000000000001a"] }),
    ]);
    expect(principalActivity(snapshot, ROLE_ARN)).toBeUndefined();
    expect(activePrincipals(snapshot)).toEqual([`root:${ACCOUNT_ID}`]);
    expect(activePrincipals(snapshotWith())).toEqual([USER_ARN, ROLE_ARN]);
  });
});

describe("helpers", () => {
  it("launch history is complete from the lookup start, or from the oldest event of a truncated launch lookup", () => {
    const snapshot = snapshotWith();
    expect(launchHistoryKnownSince(snapshot)).toBe(daysAgo(8));
    const cloudTrail = snapshot.cloudTrail;
    if (!cloudTrail) throw new Error("fixture");
    const truncated = {
      ...snapshot,
      cloudTrail: {
        ...cloudTrail,
        truncated: [
          { region: "eu-west-1", eventName: "RunInstances", oldestEventTime: daysAgo(2) },
          { region: "global", eventName: "CreateUser", oldestEventTime: daysAgo(1) },
        ],
      },
    };
    expect(launchHistoryKnownSince(truncated)).toBe(daysAgo(2));
    expect(launchHistoryKnownSince(buildSnapshot())).toBeUndefined();
  });

  it.each([
    [BOTO3_AGENT, true],
    ["aws-cli/2.15.10 Python/3.11.6", true],
    ["python-requests/2.31.0", true],
    [CONSOLE_AGENT, false],
    ["console.amazonaws.com", false],
    ["autoscaling.amazonaws.com", false],
    [undefined, false],
  ])("isProgrammaticAgent(%s) = %s", (agent, expected) => {
    expect(isProgrammaticAgent(agent)).toBe(expected);
  });
});
