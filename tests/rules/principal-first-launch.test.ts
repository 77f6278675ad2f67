import { describe, expect, it } from "vitest";
import { principalFirstLaunch } from "../../lambda/rules/principal-first-launch.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  assumedRoleIdentity,
  autoScalingIdentity,
  CONSOLE_AGENT,
  cloudTrailSection,
  createAccessKey,
  dryRunInstances,
  iamUserIdentity,
  rootIdentity,
  runInstances,
  runTask,
  type TrailRecord,
  VPS_IP,
} from "../support/cloudtrail-events.js";
import {
  ACCOUNT_ID,
  buildSnapshot,
  daysAgo,
  hoursAgo,
  instance,
  ruleContext,
  WINDOW_END,
} from "../support/snapshot-builder.js";

const USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`;
const leaked = iamUserIdentity("ci-deploy", "AKIA4EXAMPLECIDEPLOY");
const ciRole = (n: number) => assumedRoleIdentity("ci-runner", `gha-${n}`, `ASIA4EXAMPLECIRUN00${n}`);
const TASK_ARN = `arn:aws:ecs:eu-central-1:${ACCOUNT_ID}:task/miners/4f1c0b2a9d8e4c7b8a6f5e4d3c2b1a09`;

function evaluate(records: TrailRecord[], lookupStart = daysAgo(8)) {
  const snapshot = buildSnapshot({ cloudTrail: cloudTrailSection(records, lookupStart) });
  return principalFirstLaunch.evaluate(snapshot, ruleContext(snapshot));
}

describe("MW-PRINCIPAL-FIRST-LAUNCH", () => {
  const cases: {
    name: string;
    records: TrailRecord[];
    lookupStart?: string;
    expected: { type: string; id: string; severity: Severity }[];
  }[] = [
    {
      name: "an IAM user's long-term key, scripted from a new VPS address: high, per instance",
      records: [
        runInstances({
          identity: leaked,
          time: hoursAgo(6),
          region: "us-east-2",
          instanceIds: ["i-0a00000000000001a", "i-0a00000000000002a"],
        }),
      ],
      expected: [
        { type: "ec2-instance", id: "i-0a00000000000001a", severity: "high" },
        { type: "ec2-instance", id: "i-0a00000000000002a", severity: "high" },
      ],
    },
    {
      name: "the same user in the console: medium",
      records: [
        runInstances({
          identity: leaked,
          time: hoursAgo(6),
          instanceIds: ["i-0a00000000000001a"],
          userAgent: CONSOLE_AGENT,
          sourceIp: "203.0.113.10",
        }),
      ],
      expected: [{ type: "ec2-instance", id: "i-0a00000000000001a", severity: "medium" }],
    },
    {
      name: "a script from an address the user already used before the window: medium",
      records: [
        createAccessKey({
          identity: leaked,
          time: daysAgo(4),
          userName: "ci-deploy",
          newAccessKeyId: "AKIA4EXAMPLECIDEPLO2",
        }),
        runInstances({ identity: leaked, time: hoursAgo(6), instanceIds: ["i-0a00000000000001a"] }),
      ],
      expected: [{ type: "ec2-instance", id: "i-0a00000000000001a", severity: "medium" }],
    },
    {
      name: "the root user: high",
      records: [
        runInstances({
          identity: rootIdentity(),
          time: hoursAgo(3),
          region: "sa-east-1",
          instanceIds: ["i-0c00000000000001a"],
        }),
      ],
      expected: [{ type: "ec2-instance", id: "i-0c00000000000001a", severity: "high" }],
    },
    {
      name: "quiet: a CI role that launched before the window too",
      records: [
        runInstances({
          identity: ciRole(1),
          time: daysAgo(2),
          region: "eu-west-1",
          instanceIds: ["i-0d00000000000001a"],
        }),
        runInstances({
          identity: ciRole(2),
          time: hoursAgo(1),
          region: "eu-west-1",
          instanceIds: ["i-0d00000000000002a"],
        }),
      ],
      expected: [],
    },
    {
      name: "a role with no earlier launch: medium (temporary credentials)",
      records: [
        runInstances({
          identity: ciRole(2),
          time: hoursAgo(1),
          region: "eu-west-1",
          instanceIds: ["i-0d00000000000002a"],
        }),
      ],
      expected: [{ type: "ec2-instance", id: "i-0d00000000000002a", severity: "medium" }],
    },
    {
      name: "compute that is not an instance: one signal on the principal",
      records: [
        runTask({
          identity: leaked,
          time: hoursAgo(5),
          region: "eu-central-1",
          taskArn: TASK_ARN,
          cluster: "miners",
          taskDefinition: "xmr:1",
        }),
      ],
      expected: [{ type: "principal", id: USER_ARN, severity: "high" }],
    },
    {
      name: "not applicable: Auto Scaling replacing an instance",
      records: [
        runInstances({
          identity: autoScalingIdentity(),
          time: hoursAgo(2),
          instanceIds: ["i-0e00000000000001a"],
          sourceIp: "autoscaling.amazonaws.com",
          userAgent: "autoscaling.amazonaws.com",
        }),
      ],
      expected: [],
    },
    {
      name: "not applicable: a DryRun launches nothing",
      records: [dryRunInstances({ identity: leaked, time: hoursAgo(6), region: "us-east-2" })],
      expected: [],
    },
    {
      name: "data missing: too little history before the window to call it a first launch: low",
      records: [runInstances({ identity: leaked, time: hoursAgo(6), instanceIds: ["i-0a00000000000001a"] })],
      lookupStart: hoursAgo(26),
      expected: [{ type: "ec2-instance", id: "i-0a00000000000001a", severity: "low" }],
    },
    {
      name: "not applicable: a launch before the window only",
      records: [runInstances({ identity: leaked, time: daysAgo(3), instanceIds: ["i-0a00000000000001a"] })],
      expected: [],
    },
  ];

  it.each(cases)("$name", ({ records, lookupStart, expected }) => {
    const signals = evaluate(records, lookupStart);
    expect(signals.map((s) => ({ type: s.resource.type, id: s.resource.id, severity: s.severity }))).toEqual(expected);
    for (const signal of signals) expect(signal.ruleId).toBe("MW-PRINCIPAL-FIRST-LAUNCH");
  });

  it("names the principal, its key and source in the message and details", () => {
    const [signal] = evaluate([
      runInstances({ identity: leaked, time: hoursAgo(6), region: "us-east-2", instanceIds: ["i-0a00000000000001a"] }),
    ]);
    expect(signal?.message).toContain("IAM user ci-deploy");
    expect(signal?.message).toContain("AKIA4EXAMPLECIDEPLOY");
    expect(signal?.message).toContain(VPS_IP);
    expect(signal?.message).toContain("2026-03-10 00:00 UTC");
    expect(signal?.resource.region).toBe("us-east-2");
    expect(signal?.details).toMatchObject({
      principalArn: USER_ARN,
      principalType: "IAMUser",
      accessKeyIds: ["AKIA4EXAMPLECIDEPLOY"],
      accessKeyId: "AKIA4EXAMPLECIDEPLOY",
      sourceIps: [VPS_IP],
      sourceIp: VPS_IP,
      launchRegions: ["us-east-2"],
      historyKnownSince: daysAgo(8),
    });
  });

  it("a launch before the window whose instance still runs is still today's incident; a terminated one is not", () => {
    const records = [
      runInstances({ identity: leaked, time: hoursAgo(30), region: "us-east-2", instanceIds: ["i-0a00000000000001a"] }),
    ];
    const evaluateWith = (state: "running" | "terminated") => {
      const snapshot = buildSnapshot({
        instances: [
          instance({ instanceId: "i-0a00000000000001a", region: "us-east-2", state, launchTime: hoursAgo(30) }),
        ],
        cloudTrail: cloudTrailSection(records, daysAgo(8)),
      });
      return principalFirstLaunch.evaluate(snapshot, ruleContext(snapshot));
    };
    expect(evaluateWith("running").map((s) => [s.resource.id, s.severity])).toEqual([["i-0a00000000000001a", "high"]]);
    expect(evaluateWith("terminated")).toEqual([]);
  });

  it("returns nothing without a CloudTrail section", () => {
    const snapshot = buildSnapshot({ window: { start: hoursAgo(24), end: WINDOW_END } });
    expect(principalFirstLaunch.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });
});
