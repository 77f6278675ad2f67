import { describe, expect, it } from "vitest";
import { principalProbing, UNAUTHORIZED_PROBE_THRESHOLD } from "../../lambda/rules/principal-probing.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  assumedRoleIdentity,
  cloudTrailSection,
  dryRunInstances,
  iamUserIdentity,
  quotaIncrease,
  runInstances,
  runTask,
  type TrailRecord,
  unauthorizedRunInstances,
} from "../support/cloudtrail-events.js";
import { ACCOUNT_ID, buildSnapshot, daysAgo, hoursAgo, ruleContext } from "../support/snapshot-builder.js";

const USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/batch-submit`;
const leaked = iamUserIdentity("ci-deploy", "AKIA4EXAMPLECIDEPLOY");
const role = assumedRoleIdentity("batch-submit", "s1", "ASIA4EXAMPLEBATCH001");
const TASK_ARN = `arn:aws:ecs:eu-central-1:${ACCOUNT_ID}:task/miners/4f1c0b2a9d8e4c7b8a6f5e4d3c2b1a09`;
const launch = (time = hoursAgo(6)) =>
  runInstances({
    identity: leaked,
    time,
    region: "us-east-2",
    instanceIds: ["i-0a00000000000001a", "i-0a00000000000002a"],
  });
const denied = (n: number) =>
  Array.from({ length: n }, (_, k) =>
    unauthorizedRunInstances({ identity: leaked, time: hoursAgo(7 - k * 0.01), region: "ap-south-1" }),
  );

function evaluate(records: TrailRecord[]) {
  const snapshot = buildSnapshot({ cloudTrail: cloudTrailSection(records, daysAgo(8)) });
  return principalProbing.evaluate(snapshot, ruleContext(snapshot));
}

describe("MW-PRINCIPAL-PROBING", () => {
  const cases: {
    name: string;
    records: TrailRecord[];
    expected: { type: string; id: string; severity: Severity }[];
  }[] = [
    {
      name: "quota increase and DryRun, then launches: high on each launched instance",
      records: [
        quotaIncrease({ identity: leaked, time: hoursAgo(6.3), quotaCode: "L-DB2E81BA", desiredValue: 192 }),
        dryRunInstances({ identity: leaked, time: hoursAgo(6.1), region: "us-east-2" }),
        launch(),
      ],
      expected: [
        { type: "ec2-instance", id: "i-0a00000000000001a", severity: "high" },
        { type: "ec2-instance", id: "i-0a00000000000002a", severity: "high" },
      ],
    },
    {
      name: "probes in the lookback before the window, launch in it: high",
      records: [dryRunInstances({ identity: leaked, time: daysAgo(2), region: "us-east-2" }), launch()],
      expected: [
        { type: "ec2-instance", id: "i-0a00000000000001a", severity: "high" },
        { type: "ec2-instance", id: "i-0a00000000000002a", severity: "high" },
      ],
    },
    {
      name: "probing alone: medium on the principal",
      records: [quotaIncrease({ identity: leaked, time: hoursAgo(2), quotaCode: "L-417A185B", desiredValue: 384 })],
      expected: [{ type: "principal", id: USER_ARN, severity: "medium" }],
    },
    {
      name: `${UNAUTHORIZED_PROBE_THRESHOLD} denied launches: probing`,
      records: denied(UNAUTHORIZED_PROBE_THRESHOLD),
      expected: [{ type: "principal", id: USER_ARN, severity: "medium" }],
    },
    {
      name: "quiet: a few denied calls are typos",
      records: [...denied(UNAUTHORIZED_PROBE_THRESHOLD - 1), launch()],
      expected: [],
    },
    {
      name: "quiet: launches without probing",
      records: [launch()],
      expected: [],
    },
    {
      name: "quiet: a quota request that is not about compute",
      records: [
        quotaIncrease({
          identity: leaked,
          time: hoursAgo(2),
          serviceCode: "s3",
          quotaCode: "L-DC2B2D3D",
          desiredValue: 200,
        }),
      ],
      expected: [],
    },
    {
      name: "quiet: probes before the window and nothing launched since",
      records: [dryRunInstances({ identity: leaked, time: daysAgo(3), region: "us-east-2" })],
      expected: [],
    },
    {
      name: "a role that DryRuns then runs Fargate tasks: high on the principal",
      records: [
        dryRunInstances({ identity: role, time: hoursAgo(4), region: "eu-central-1" }),
        runTask({
          identity: role,
          time: hoursAgo(3),
          region: "eu-central-1",
          taskArn: TASK_ARN,
          cluster: "miners",
          taskDefinition: "xmr:1",
        }),
      ],
      expected: [{ type: "principal", id: ROLE_ARN, severity: "high" }],
    },
  ];

  it.each(cases)("$name", ({ records, expected }) => {
    const signals = evaluate(records);
    expect(signals.map((s) => ({ type: s.resource.type, id: s.resource.id, severity: s.severity }))).toEqual(expected);
    for (const signal of signals) expect(signal.ruleId).toBe("MW-PRINCIPAL-PROBING");
  });

  it("says what was probed, with the quota name, and who", () => {
    const [signal] = evaluate([
      quotaIncrease({ identity: leaked, time: hoursAgo(6.3), quotaCode: "L-DB2E81BA", desiredValue: 192 }),
      dryRunInstances({ identity: leaked, time: hoursAgo(6.1), region: "us-east-2" }),
      launch(),
    ]);
    expect(signal?.message).toContain("IAM user ci-deploy");
    expect(signal?.message).toContain("1 DryRun call (us-east-2)");
    expect(signal?.message).toContain("L-DB2E81BA (Running On-Demand G and VT instances) to 192");
    expect(signal?.details).toMatchObject({
      principalArn: USER_ARN,
      accessKeyIds: ["AKIA4EXAMPLECIDEPLOY"],
      dryRuns: 1,
      quotaRequests: ["L-DB2E81BA=192"],
      firstProbeAt: hoursAgo(6.3),
    });
  });
});
