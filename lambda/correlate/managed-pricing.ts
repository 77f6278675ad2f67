/**
 * What mining on managed compute costs: Fargate tasks, SageMaker notebook instances and CodeBuild
 * builds, the services attackers move to when EC2 is watched (the AMBERSQUID campaign ran all
 * three). Same contract as the EC2 estimate: on-demand list prices in us-east-1 as of
 * PRICING_AS_OF times the regional multiplier, an estimate a responder can quote, never a bill.
 *
 * - Fargate (Linux/x86): per vCPU-hour and per GB-hour of the task's size, while it runs.
 * - SageMaker notebooks: the EC2 price of the same type plus SAGEMAKER_PREMIUM (the ml. prices of
 *   the common notebook types sit 20-40 % above EC2), while InService.
 * - CodeBuild: per build-minute of the project's compute type; an idle project costs nothing, so
 *   the hourly figure counts builds in progress, and the cost so far sums every build listed.
 *
 * Amplify Hosting builds and Lambda invocations are not estimated here: their bills depend on
 * build minutes and invocations the snapshot does not hold (Cost Explorer shows them).
 */
import type { CodeBuildProject } from "../core/sections/managed-compute.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import type { ResourceRef } from "../rules/types.js";
import { hourlyPrice, hoursSinceLaunch, regionMultiplier, round2, round4 } from "./pricing.js";
import { findCodeBuildProject, findEcsTask, findNotebook } from "./resource-facts.js";

export const FARGATE_USD_PER_VCPU_HOUR = 0.04048;
export const FARGATE_USD_PER_GB_HOUR = 0.004445;
export const SAGEMAKER_PREMIUM = 1.25;

/** CodeBuild on-demand Linux rates per build-minute by compute type. */
const CODEBUILD_USD_PER_MINUTE: Record<string, number> = {
  BUILD_GENERAL1_SMALL: 0.005,
  BUILD_GENERAL1_MEDIUM: 0.01,
  BUILD_GENERAL1_LARGE: 0.02,
  BUILD_GENERAL1_2XLARGE: 0.2,
};
/** Linux GPU Large. Compute types missing from these tables are left unpriced, not guessed. */
const CODEBUILD_GPU_USD_PER_MINUTE: Record<string, number> = {
  BUILD_GENERAL1_LARGE: 0.18,
};

const RUNNING_TASK = new Set(["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"]);
const RUNNING_NOTEBOOK = new Set(["Pending", "InService", "Updating"]);
const RUNNING_BUILD = new Set(["IN_PROGRESS"]);

export interface ManagedCost {
  /** Per hour while it runs now; 0 for an idle CodeBuild project. */
  hourlyUsd: number;
  /** Since it started (task, notebook) or over every listed build (CodeBuild). */
  soFarUsd: number;
  /** What it was priced as ("Fargate 4 vCPU / 8 GB"), for the finding's pricing note. */
  basis: string;
  /** CodeBuild: the build-minutes the cost so far counts. */
  buildMinutes?: number;
}

type Sections = Pick<AccountSnapshot, "ecs" | "managedCompute">;

/** The cost of one managed resource, or undefined when it is not one Minewatch can price. */
export function estimateManagedCost(ref: ResourceRef, snapshot: Sections, now: Date): ManagedCost | undefined {
  switch (ref.type) {
    case "ecs-task":
      return fargateCost(ref, snapshot, now);
    case "sagemaker-notebook":
      return notebookCost(ref, snapshot, now);
    case "codebuild-project":
      return codeBuildCost(ref, snapshot, now);
    default:
      return undefined;
  }
}

function fargateCost(ref: ResourceRef, snapshot: Sections, now: Date): ManagedCost | undefined {
  const task = findEcsTask(ref, snapshot);
  // EC2-launch-type tasks run on instances, priced as instances.
  if (task?.launchType !== "FARGATE") return undefined;
  const definition = snapshot.ecs?.taskDefinitions.find((d) => d.arn === task.taskDefinitionArn);
  const cpu = task.cpu ?? definition?.cpu;
  const memory = task.memory ?? definition?.memory;
  if (cpu === undefined || memory === undefined) return undefined;
  const vcpus = cpu / 1024;
  const gb = memory / 1024;
  const perHour = (vcpus * FARGATE_USD_PER_VCPU_HOUR + gb * FARGATE_USD_PER_GB_HOUR) * regionMultiplier(task.region);
  const running = RUNNING_TASK.has(task.lastStatus ?? "");
  const started = task.startedAt ?? task.createdAt;
  return {
    hourlyUsd: running ? round4(perHour) : 0,
    soFarUsd: running && started ? round2(perHour * hoursSinceLaunch(started, now)) : 0,
    basis: `Fargate ${vcpus} vCPU / ${round2(gb)} GB`,
  };
}

function notebookCost(ref: ResourceRef, snapshot: Sections, now: Date): ManagedCost | undefined {
  const notebook = findNotebook(ref, snapshot);
  if (!notebook) return undefined;
  const ec2 = hourlyPrice(notebook.instanceType.replace(/^ml\./, ""), notebook.region);
  if (ec2 === undefined) return undefined;
  const perHour = ec2 * SAGEMAKER_PREMIUM;
  const running = RUNNING_NOTEBOOK.has(notebook.status);
  // A notebook bills from its last start; its last modification is that start for one InService.
  const since = notebook.lastModifiedTime ?? notebook.creationTime;
  return {
    hourlyUsd: running ? round4(perHour) : 0,
    soFarUsd: running ? round2(perHour * hoursSinceLaunch(since, now)) : 0,
    basis: `SageMaker ${notebook.instanceType} (EC2 price + ${Math.round((SAGEMAKER_PREMIUM - 1) * 100)} %)`,
  };
}

function codeBuildCost(ref: ResourceRef, snapshot: Sections, now: Date): ManagedCost | undefined {
  const project = findCodeBuildProject(ref, snapshot);
  if (!project) return undefined;
  const perMinute = codeBuildRate(project);
  if (perMinute === undefined) return undefined;
  const builds = (snapshot.managedCompute?.codeBuildBuilds ?? []).filter(
    (b) => b.projectName === project.name && b.region === project.region,
  );
  let minutes = 0;
  let running = 0;
  for (const build of builds) {
    const end = build.endTime ? Date.parse(build.endTime) : now.getTime();
    // CodeBuild bills whole minutes, rounded up.
    minutes += Math.ceil(Math.max(0, end - Date.parse(build.startTime)) / 60_000);
    if (RUNNING_BUILD.has(build.status)) running += 1;
  }
  const multiplier = regionMultiplier(project.region);
  return {
    hourlyUsd: round4(running * perMinute * 60 * multiplier),
    soFarUsd: round2(minutes * perMinute * multiplier),
    basis: `CodeBuild ${project.computeType} project`,
    buildMinutes: minutes,
  };
}

function codeBuildRate(project: CodeBuildProject): number | undefined {
  const type = project.computeType ?? "";
  const gpu = (project.environmentType ?? "").includes("GPU");
  return gpu ? CODEBUILD_GPU_USD_PER_MINUTE[type] : CODEBUILD_USD_PER_MINUTE[type];
}
