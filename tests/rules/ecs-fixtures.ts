/**
 * ECS fixtures shaped like what the ECS collector stores: tasks as DescribeTasks shows them, task
 * definitions as DescribeTaskDefinition shows them (commands and environments already redacted).
 */
import type { z } from "zod";
import { redactSecrets } from "../../lambda/core/redact.js";
import type { EcsSchema, EcsTaskDefinitionSchema, EcsTaskSchema } from "../../lambda/core/sections/containers.js";
import { ACCOUNT_ID, hoursAgo } from "../support/snapshot-builder.js";

export type TaskInput = z.input<typeof EcsTaskSchema>;
export type TaskDefinitionInput = z.input<typeof EcsTaskDefinitionSchema>;
export type EcsInput = z.input<typeof EcsSchema>;

export const LEAKED_USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`;

export function clusterArn(region: string, name = "default"): string {
  return `arn:aws:ecs:${region}:${ACCOUNT_ID}:cluster/${name}`;
}

export function taskDefinitionArn(region: string, family: string, revision = 1): string {
  return `arn:aws:ecs:${region}:${ACCOUNT_ID}:task-definition/${family}:${revision}`;
}

export function ecsTaskArn(region: string, n: number, cluster = "default"): string {
  return `arn:aws:ecs:${region}:${ACCOUNT_ID}:task/${cluster}/${n.toString(16).padStart(32, "0")}`;
}

/** A task definition: one container, registered an hour before the window end by the leaked user. */
export function taskDefinition(
  region: string,
  family: string,
  container: { image: string; command?: string; environment?: string },
  overrides: Partial<TaskDefinitionInput> = {},
): TaskDefinitionInput {
  return {
    arn: taskDefinitionArn(region, family),
    family,
    revision: 1,
    region,
    registeredAt: hoursAgo(10),
    registeredBy: LEAKED_USER_ARN,
    cpu: 4096,
    memory: 8192,
    requiresCompatibilities: ["FARGATE"],
    containers: [
      {
        name: "main",
        image: container.image,
        ...(container.command ? { command: redactSecrets(container.command) } : {}),
        ...(container.environment ? { environment: redactSecrets(container.environment) } : {}),
      },
    ],
    ...overrides,
  };
}

/** `count` running Fargate tasks of `definition`, 4 vCPU each unless overridden. */
export function tasksOf(
  definition: TaskDefinitionInput,
  count: number,
  overrides: Partial<TaskInput> = {},
  firstIndex = 1,
): TaskInput[] {
  return Array.from({ length: count }, (_, k) => ({
    taskArn: ecsTaskArn(definition.region, firstIndex + k),
    clusterArn: clusterArn(definition.region),
    region: definition.region,
    taskDefinitionArn: definition.arn,
    launchType: "FARGATE",
    cpu: definition.cpu,
    memory: definition.memory,
    lastStatus: "RUNNING",
    startedAt: hoursAgo(9),
    createdAt: hoursAgo(9),
    ...overrides,
  }));
}

export function ecsSection(definitions: TaskDefinitionInput[], tasks: TaskInput[]): EcsInput {
  const regions = [...new Set([...definitions.map((d) => d.region), ...tasks.map((t) => t.region)])].sort();
  return { regionsRead: regions, clusters: [], tasks, taskDefinitions: definitions };
}
