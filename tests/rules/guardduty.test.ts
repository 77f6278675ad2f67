import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { GuardDutyDetectorSchema, GuardDutyFindingSchema } from "../../lambda/core/sections/guardduty.js";
import { guarddutyDisabled } from "../../lambda/rules/guardduty-disabled.js";
import { guarddutyMining } from "../../lambda/rules/guardduty-mining.js";
import type { Severity } from "../../lambda/rules/types.js";
import {
  ACCOUNT_ID,
  buildSnapshot,
  DEFAULT_INSTANCE_ID,
  hoursAgo,
  type InstanceInput,
  instance,
  ruleContext,
} from "../support/snapshot-builder.js";
import { ecsSection, type TaskInput, taskDefinition, tasksOf } from "./ecs-fixtures.js";

type FindingInput = z.input<typeof GuardDutyFindingSchema>;
type DetectorInput = z.input<typeof GuardDutyDetectorSchema>;

const TASK_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT_ID}:task/default/0f3a9b1c2d4e4f5a8b6c7d8e9f0a1b2c`;
const FUNCTION_ARN = `arn:aws:lambda:eu-west-1:${ACCOUNT_ID}:function:thumbs`;

function finding(overrides: Partial<FindingInput> = {}): FindingInput {
  return {
    id: "7ac6e1f0b2c34d5e9f8a7b6c5d4e3f21",
    region: "eu-west-1",
    type: "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    severity: 5,
    title: "EC2 instance is querying a domain name that is associated with Bitcoin-related activity.",
    resourceType: "Instance",
    instanceId: DEFAULT_INSTANCE_ID,
    firstSeen: hoursAgo(6),
    lastSeen: hoursAgo(1),
    count: 3,
    ...overrides,
  };
}

describe("MW-GUARDDUTY-MINING", () => {
  const cases: {
    name: string;
    findings: FindingInput[];
    expected: { severity: Severity; type: string; id: string }[];
  }[] = [
    {
      name: "fires high on the instance a DNS finding names",
      findings: [finding()],
      expected: [{ severity: "high", type: "ec2-instance", id: DEFAULT_INSTANCE_ID }],
    },
    {
      name: "fires critical when GuardDuty rates it high (>= 7)",
      findings: [finding({ type: "CryptoCurrency:EC2/BitcoinTool.B", severity: 8 })],
      expected: [{ severity: "critical", type: "ec2-instance", id: DEFAULT_INSTANCE_ID }],
    },
    {
      name: "fires critical when seen more than 10 times",
      findings: [finding({ count: 42 })],
      expected: [{ severity: "critical", type: "ec2-instance", id: DEFAULT_INSTANCE_ID }],
    },
    {
      name: "names the ECS task of a Runtime Monitoring finding",
      findings: [
        finding({
          type: "Impact:Runtime/CryptoMinerExecuted",
          region: "us-east-1",
          severity: 8,
          resourceType: "ECSCluster",
          instanceId: undefined,
          resourceId: TASK_ARN,
        }),
      ],
      expected: [{ severity: "critical", type: "ecs-task", id: TASK_ARN }],
    },
    {
      name: "names the Lambda function of a Lambda Protection finding",
      findings: [
        finding({
          type: "CryptoCurrency:Lambda/BitcoinTool.B",
          resourceType: "Lambda",
          instanceId: undefined,
          resourceId: FUNCTION_ARN,
        }),
      ],
      expected: [{ severity: "high", type: "lambda-function", id: FUNCTION_ARN }],
    },
    {
      name: "falls back to the finding itself when it names no known resource",
      findings: [finding({ instanceId: undefined, resourceType: "EKSCluster", resourceId: "prod-eks" })],
      expected: [{ severity: "high", type: "guardduty-finding", id: "7ac6e1f0b2c34d5e9f8a7b6c5d4e3f21" }],
    },
    {
      name: "quiet: a finding that is not about mining",
      findings: [finding({ type: "Recon:EC2/PortProbeUnprotectedPort" })],
      expected: [],
    },
    { name: "quiet: no findings", findings: [], expected: [] },
  ];

  it.each(cases)("$name", ({ findings, expected }) => {
    const snapshot = buildSnapshot({ guardDuty: { regionsChecked: ["eu-west-1", "us-east-1"], findings } });
    const signals = guarddutyMining.evaluate(snapshot, ruleContext(snapshot));
    expect(signals.map((s) => ({ severity: s.severity, type: s.resource.type, id: s.resource.id }))).toEqual(expected);
  });

  it("says when a mining finding was archived", () => {
    const snapshot = buildSnapshot({ guardDuty: { findings: [finding({ archived: true })] } });
    const [signal] = guarddutyMining.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message).toContain("archived");
    expect(signal?.details?.archived).toBe(true);
  });

  it("is not applicable when GuardDuty was not collected", () => {
    const snapshot = buildSnapshot();
    expect(guarddutyMining.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });
});

describe("MW-GUARDDUTY-DISABLED", () => {
  const enabled = (region: string, features: Record<string, string> = {}): DetectorInput => ({
    region,
    detectorId: "12abc34d567e8fa901bc2d34e56789f0",
    status: "ENABLED",
    features,
  });
  const fargate = (region: string, count: number): TaskInput[] =>
    tasksOf(taskDefinition(region, "web", { image: "nginx:1.27" }), count);

  const cases: {
    name: string;
    regionsChecked: string[];
    detectors: DetectorInput[];
    instances?: InstanceInput[];
    tasks?: TaskInput[];
    lambdaRegions?: string[];
    expected: { region: string; severity: Severity }[];
  }[] = [
    {
      name: "fires medium: instances run where no detector is enabled",
      regionsChecked: ["eu-west-1"],
      detectors: [],
      instances: [instance()],
      expected: [{ region: "eu-west-1", severity: "medium" }],
    },
    {
      name: "fires medium: a suspended detector counts as off",
      regionsChecked: ["eu-west-1"],
      detectors: [{ ...enabled("eu-west-1"), status: "DISABLED" }],
      instances: [instance()],
      expected: [{ region: "eu-west-1", severity: "medium" }],
    },
    {
      name: "fires medium: Fargate tasks run where GuardDuty is off",
      regionsChecked: ["ap-south-1"],
      detectors: [],
      tasks: fargate("ap-south-1", 3),
      expected: [{ region: "ap-south-1", severity: "medium" }],
    },
    {
      name: "fires low: only Lambda functions where GuardDuty is off",
      regionsChecked: ["eu-west-1"],
      detectors: [],
      lambdaRegions: ["eu-west-1"],
      expected: [{ region: "eu-west-1", severity: "low" }],
    },
    {
      name: "fires low: GuardDuty on, Fargate tasks, but no Fargate runtime agent",
      regionsChecked: ["us-east-1"],
      detectors: [
        enabled("us-east-1", {
          RUNTIME_MONITORING: "ENABLED",
          "RUNTIME_MONITORING/ECS_FARGATE_AGENT_MANAGEMENT": "DISABLED",
        }),
      ],
      tasks: fargate("us-east-1", 2),
      expected: [{ region: "us-east-1", severity: "low" }],
    },
    {
      name: "fires low: GuardDuty on, EKS nodes, no runtime monitoring",
      regionsChecked: ["eu-west-1"],
      detectors: [enabled("eu-west-1")],
      instances: [instance({ tags: { "eks:cluster-name": "prod", Name: "eks-node" } })],
      expected: [{ region: "eu-west-1", severity: "low" }],
    },
    {
      name: "quiet: GuardDuty on with Fargate runtime monitoring where Fargate tasks run",
      regionsChecked: ["us-east-1"],
      detectors: [
        enabled("us-east-1", {
          RUNTIME_MONITORING: "ENABLED",
          "RUNTIME_MONITORING/ECS_FARGATE_AGENT_MANAGEMENT": "ENABLED",
        }),
      ],
      tasks: fargate("us-east-1", 2),
      expected: [],
    },
    {
      name: "quiet: GuardDuty on where ordinary instances run",
      regionsChecked: ["eu-west-1"],
      detectors: [enabled("eu-west-1")],
      instances: [instance()],
      expected: [],
    },
    {
      name: "quiet: GuardDuty off in a region with no compute",
      regionsChecked: ["eu-west-1", "sa-east-1"],
      detectors: [enabled("eu-west-1")],
      instances: [instance()],
      expected: [],
    },
    {
      name: "quiet: stopped instances are not compute that runs",
      regionsChecked: ["eu-west-1"],
      detectors: [],
      instances: [instance({ state: "stopped" })],
      expected: [],
    },
    {
      name: "not applicable: a region whose detectors could not be read (not in regionsChecked)",
      regionsChecked: [],
      detectors: [],
      instances: [instance()],
      expected: [],
    },
  ];

  it.each(cases)("$name", ({ regionsChecked, detectors, instances, tasks, lambdaRegions, expected }) => {
    const snapshot = buildSnapshot({
      instances: instances ?? [],
      guardDuty: { regionsChecked, detectors },
      ...(tasks ? { ecs: ecsSection([], tasks) } : {}),
      ...(lambdaRegions
        ? {
            managedCompute: {
              lambdaFunctions: lambdaRegions.map((region) => ({
                name: "thumbs",
                arn: `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:thumbs`,
                region,
                memorySize: 512,
                timeout: 30,
                lastModified: hoursAgo(400),
              })),
            },
          }
        : {}),
    });
    const signals = guarddutyDisabled.evaluate(snapshot, ruleContext(snapshot));
    expect(signals.map((s) => ({ region: s.resource.id, severity: s.severity }))).toEqual(expected);
    for (const s of signals) expect(s.resource).toEqual({ type: "region", id: s.resource.id, region: s.resource.id });
  });

  it("says what runs where GuardDuty cannot see", () => {
    const snapshot = buildSnapshot({ instances: [instance()], guardDuty: { regionsChecked: ["eu-west-1"] } });
    const [signal] = guarddutyDisabled.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.message).toBe(
      "GuardDuty is off in eu-west-1 (no enabled detector) while 1 instance runs there: mining in this region would raise no GuardDuty finding.",
    );
  });

  it("is not applicable when GuardDuty was not collected", () => {
    const snapshot = buildSnapshot({ instances: [instance()] });
    expect(guarddutyDisabled.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });
});
