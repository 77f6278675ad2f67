/** ECS clusters, running tasks and the task definitions behind them (Fargate and EC2 launch types). */
import { z } from "zod";
import { awsRegion, isoDateTime } from "./common.js";

export const EcsClusterSchema = z.object({
  arn: z.string(),
  name: z.string(),
  region: awsRegion,
  status: z.string().optional(),
  runningTasksCount: z.number().int().default(0),
  tags: z.record(z.string(), z.string()).default({}),
});

/** A RunTask container override: the caller may replace the command and add environment at launch. */
export const ContainerOverrideSchema = z.object({
  name: z.string(),
  /** command joined with spaces, redacted. */
  command: z.string().optional(),
  /** Environment as NAME=value lines, redacted. */
  environment: z.string().optional(),
});

export const EcsTaskSchema = z.object({
  taskArn: z.string(),
  clusterArn: z.string(),
  region: awsRegion,
  taskDefinitionArn: z.string(),
  launchType: z.string().optional(),
  /** Task-level CPU units (1024 = 1 vCPU) and memory MiB, as strings in the API; numbers here. */
  cpu: z.number().optional(),
  memory: z.number().optional(),
  lastStatus: z.string().optional(),
  startedAt: isoDateTime.optional(),
  createdAt: isoDateTime.optional(),
  /** startedBy: an ECS service ("ecs-svc/..."), a person, or a scheduler. */
  startedBy: z.string().optional(),
  group: z.string().optional(),
  /** Overrides given at RunTask: a miner can hide in an innocent-looking task definition this way. */
  containerOverrides: z.array(ContainerOverrideSchema).default([]),
});

export const ContainerDefinitionSchema = z.object({
  name: z.string(),
  image: z.string(),
  /** command and entryPoint joined with spaces, redacted. */
  command: z.string().optional(),
  /** Environment as NAME=value lines, redacted. */
  environment: z.string().optional(),
  cpu: z.number().optional(),
  memory: z.number().optional(),
});

export const EcsTaskDefinitionSchema = z.object({
  arn: z.string(),
  family: z.string(),
  revision: z.number().int(),
  region: awsRegion,
  registeredAt: isoDateTime.optional(),
  registeredBy: z.string().optional(),
  cpu: z.number().optional(),
  memory: z.number().optional(),
  requiresCompatibilities: z.array(z.string()).default([]),
  containers: z.array(ContainerDefinitionSchema).default([]),
});

export const EcsSchema = z.object({
  /** Regions whose clusters were listed (coverage says why others were not, or were read in part). */
  regionsRead: z.array(z.string()).default([]),
  clusters: z.array(EcsClusterSchema).default([]),
  tasks: z.array(EcsTaskSchema).default([]),
  taskDefinitions: z.array(EcsTaskDefinitionSchema).default([]),
});

export type EcsCluster = z.infer<typeof EcsClusterSchema>;
export type EcsTask = z.infer<typeof EcsTaskSchema>;
export type EcsTaskDefinition = z.infer<typeof EcsTaskDefinitionSchema>;
export type Ecs = z.infer<typeof EcsSchema>;
