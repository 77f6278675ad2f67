import { describe, expect, it } from "vitest";
import type { z } from "zod";
import type { CloudTrailEventSchema } from "../../lambda/core/sections/cloudtrail.js";
import { ecsPublicImageTasks } from "../../lambda/rules/ecs-public-image-tasks.js";
import type { Severity } from "../../lambda/rules/types.js";
import { ACCOUNT_ID, buildSnapshot, daysAgo, hoursAgo, ruleContext } from "../support/snapshot-builder.js";
import {
  ecsSection,
  LEAKED_USER_ARN,
  type TaskDefinitionInput,
  type TaskInput,
  taskDefinition,
  tasksOf,
} from "./ecs-fixtures.js";

const ECR_APP = `${ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/checkout-api:2026.03.1`;

function runTaskBy(arn: string, region: string): z.input<typeof CloudTrailEventSchema> {
  return {
    eventId: `evt-${region}`,
    eventTime: hoursAgo(9),
    eventName: "RunTask",
    eventSource: "ecs.amazonaws.com",
    region,
    principal: {
      type: "IAMUser",
      arn,
      accountId: ACCOUNT_ID,
      userName: "ci-deploy",
      accessKeyId: "AKIAEXAMPLELEAKED001",
    },
    sourceIpAddress: "203.0.113.77",
    userAgent: "aws-cli/2.15.0",
  };
}

const small = (d: TaskDefinitionInput) => ({ ...d, cpu: 1024, memory: 2048 });

describe("MW-ECS-PUBLIC-IMAGE-TASKS", () => {
  const renamed = taskDefinition("us-east-1", "worker", { image: "sysupdate/alpine-tools:latest" });
  const cases: {
    name: string;
    definitions: TaskDefinitionInput[];
    tasks: TaskInput[];
    runTaskBy?: string;
    expected: Severity[];
  }[] = [
    {
      name: "fires high: many large tasks of a public image registered in the window",
      definitions: [renamed],
      tasks: tasksOf(renamed, 6),
      expected: Array(6).fill("high"),
    },
    {
      name: "fires high: few large tasks, registered and run by the same principal",
      definitions: [renamed],
      tasks: tasksOf(renamed, 2),
      runTaskBy: LEAKED_USER_ARN,
      expected: ["high", "high"],
    },
    {
      name: "fires medium: few large tasks, run by someone else",
      definitions: [renamed],
      tasks: tasksOf(renamed, 2),
      runTaskBy: `arn:aws:iam::${ACCOUNT_ID}:user/alice`,
      expected: ["medium", "medium"],
    },
    {
      name: "fires medium: many small tasks",
      definitions: [small(renamed)],
      tasks: tasksOf(small(renamed), 5, { cpu: 1024, memory: 2048 }),
      expected: Array(5).fill("medium"),
    },
    {
      name: "counts one image across regions as one campaign",
      definitions: [
        small(taskDefinition("us-east-1", "worker", { image: "sysupdate/alpine-tools:latest" })),
        small(taskDefinition("ap-south-1", "worker", { image: "docker.io/sysupdate/alpine-tools:latest" })),
      ],
      tasks: [
        ...tasksOf(small(taskDefinition("us-east-1", "worker", { image: "x" })), 3, { cpu: 1024 }),
        ...tasksOf(small(taskDefinition("ap-south-1", "worker", { image: "x" })), 2, { cpu: 1024 }),
      ],
      expected: Array(5).fill("medium"),
    },
    {
      name: "quiet: a few small tasks of a public image",
      definitions: [small(renamed)],
      tasks: tasksOf(small(renamed), 2, { cpu: 1024 }),
      expected: [],
    },
    {
      name: "quiet: many large tasks from a definition registered months ago",
      definitions: [{ ...renamed, registeredAt: daysAgo(120) }],
      tasks: tasksOf(renamed, 8),
      expected: [],
    },
    {
      name: "quiet: many large tasks of the team's own ECR image",
      definitions: [taskDefinition("us-east-1", "checkout", { image: ECR_APP })],
      tasks: tasksOf(taskDefinition("us-east-1", "checkout", { image: ECR_APP }), 10),
      expected: [],
    },
    {
      name: "not applicable: the definition's registration time is unknown",
      definitions: [{ ...renamed, registeredAt: undefined }],
      tasks: tasksOf(renamed, 8),
      expected: [],
    },
    {
      name: "data missing: the task definition was not read",
      definitions: [],
      tasks: tasksOf(renamed, 8),
      expected: [],
    },
  ];

  it.each(cases)("$name", ({ definitions, tasks, runTaskBy: runner, expected }) => {
    const snapshot = buildSnapshot({
      ecs: ecsSection(definitions, tasks),
      ...(runner ? { cloudTrail: { regionsRead: ["us-east-1"], events: [runTaskBy(runner, "us-east-1")] } } : {}),
    });
    const signals = ecsPublicImageTasks.evaluate(snapshot, ruleContext(snapshot));
    expect(signals.map((s) => s.severity)).toEqual(expected);
    for (const signal of signals) expect(signal.resource.type).toBe("ecs-task");
  });

  it("matches an assumed-role registrant to RunTask calls by the same role", () => {
    const sessionArn = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/deployer/botocore-session-1741`;
    const definition = { ...renamed, registeredBy: sessionArn };
    const event = runTaskBy(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/deployer/other-session`, "us-east-1");
    event.principal.roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/deployer`;
    const snapshot = buildSnapshot({
      ecs: ecsSection([definition], tasksOf(definition, 1)),
      cloudTrail: { events: [event] },
    });
    const [signal] = ecsPublicImageTasks.evaluate(snapshot, ruleContext(snapshot));
    expect(signal?.severity).toBe("high");
    expect(signal?.details?.ranBySamePrincipal).toBe(true);
    expect(signal?.message).toContain("the same principal CloudTrail shows running the tasks");
  });

  it("is not applicable when ECS was not collected", () => {
    const snapshot = buildSnapshot();
    expect(ecsPublicImageTasks.evaluate(snapshot, ruleContext(snapshot))).toEqual([]);
  });
});
