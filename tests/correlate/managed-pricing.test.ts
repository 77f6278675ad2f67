/**
 * Cost of mining on managed compute: Fargate by task size and run time, SageMaker notebooks at the
 * EC2 price plus the SageMaker premium, CodeBuild by build-minute. Unknown sizes stay unpriced.
 */
import { describe, expect, it } from "vitest";
import { auditSnapshot } from "../../lambda/core/audit.js";
import {
  estimateManagedCost,
  FARGATE_USD_PER_GB_HOUR,
  FARGATE_USD_PER_VCPU_HOUR,
} from "../../lambda/correlate/managed-pricing.js";
import { ecsSection, taskDefinition, tasksOf } from "../rules/ecs-fixtures.js";
import { builds, notebook, project } from "../rules/managed-fixtures.js";
import { loadScenario } from "../support/scenarios.js";
import { buildSnapshot, hoursAgo, WINDOW_END } from "../support/snapshot-builder.js";

const NOW = new Date(WINDOW_END);
const ref = (type: string, id: string, region = "us-east-1") => ({ type, id, region });

describe("Fargate tasks", () => {
  const definition = { ...taskDefinition("us-east-1", "miner", { image: "alpine" }), cpu: 4096, memory: 8192 };

  it("price a running task by vCPU and GB for every hour since it started", () => {
    const [task] = tasksOf(definition, 1, { startedAt: hoursAgo(9) });
    const snapshot = buildSnapshot({ ecs: ecsSection([definition], task ? [task] : []) });
    const cost = estimateManagedCost(ref("ecs-task", task?.taskArn ?? ""), snapshot, NOW);
    const perHour = 4 * FARGATE_USD_PER_VCPU_HOUR + 8 * FARGATE_USD_PER_GB_HOUR;
    expect(cost?.hourlyUsd).toBeCloseTo(perHour, 4);
    expect(cost?.soFarUsd).toBeCloseTo(perHour * 9, 2);
    expect(cost?.basis).toBe("Fargate 4 vCPU / 8 GB");
  });

  it("take the size from the task definition when the task does not carry it", () => {
    const [task] = tasksOf(definition, 1, { cpu: undefined, memory: undefined });
    const snapshot = buildSnapshot({ ecs: ecsSection([definition], task ? [task] : []) });
    expect(estimateManagedCost(ref("ecs-task", task?.taskArn ?? ""), snapshot, NOW)?.basis).toBe(
      "Fargate 4 vCPU / 8 GB",
    );
  });

  it("cost nothing per hour once stopped, and leave EC2-launch-type tasks to their instances", () => {
    const [stopped] = tasksOf(definition, 1, { lastStatus: "STOPPED" });
    const [onEc2] = tasksOf(definition, 1, { launchType: "EC2" }, 2);
    const snapshot = buildSnapshot({
      ecs: ecsSection(
        [definition],
        [stopped, onEc2].flatMap((t) => t ?? []),
      ),
    });
    expect(estimateManagedCost(ref("ecs-task", stopped?.taskArn ?? ""), snapshot, NOW)).toMatchObject({
      hourlyUsd: 0,
      soFarUsd: 0,
    });
    expect(estimateManagedCost(ref("ecs-task", onEc2?.taskArn ?? ""), snapshot, NOW)).toBeUndefined();
  });
});

describe("SageMaker notebooks", () => {
  it("cost the EC2 price plus the SageMaker premium while InService (ml.p3.2xlarge: $3.825/h)", () => {
    const nb = notebook({ instanceType: "ml.p3.2xlarge", lastModifiedTime: hoursAgo(10) });
    const snapshot = buildSnapshot({ managedCompute: { notebookInstances: [nb] } });
    const cost = estimateManagedCost(ref("sagemaker-notebook", nb.arn), snapshot, NOW);
    expect(cost?.hourlyUsd).toBeCloseTo(3.825, 3);
    expect(cost?.soFarUsd).toBeCloseTo(38.25, 1);
  });

  it("cost nothing per hour when stopped, and stay unpriced for a type the table does not know", () => {
    const stopped = notebook({ name: "stopped", status: "Stopped", instanceType: "ml.p3.2xlarge" });
    const odd = notebook({ name: "odd", instanceType: "ml.zz9.huge" });
    const snapshot = buildSnapshot({ managedCompute: { notebookInstances: [stopped, odd] } });
    expect(estimateManagedCost(ref("sagemaker-notebook", stopped.arn), snapshot, NOW)?.hourlyUsd).toBe(0);
    expect(estimateManagedCost(ref("sagemaker-notebook", odd.arn), snapshot, NOW)).toBeUndefined();
  });
});

describe("CodeBuild projects", () => {
  it("count every listed build's minutes (rounded up), and per hour the builds in progress", () => {
    const miner = project({ name: "ecr-test-build", computeType: "BUILD_GENERAL1_2XLARGE" });
    const done = builds("ecr-test-build", 2, { status: "STOPPED", startTime: hoursAgo(5), endTime: hoursAgo(4.5) });
    const running = builds("ecr-test-build", 1, { startTime: hoursAgo(1) }).map((b) => ({ ...b, id: "running" }));
    const snapshot = buildSnapshot({
      managedCompute: { codeBuildProjects: [miner], codeBuildBuilds: [...done, ...running] },
    });
    const cost = estimateManagedCost(ref("codebuild-project", miner.arn), snapshot, NOW);
    expect(cost?.buildMinutes).toBe(30 + 30 + 60);
    expect(cost?.soFarUsd).toBeCloseTo(120 * 0.2, 2);
    expect(cost?.hourlyUsd).toBeCloseTo(0.2 * 60, 2);
  });

  it("an idle project costs nothing per hour; a GPU project uses the GPU rate; an unknown type stays unpriced", () => {
    const idle = project({ name: "idle" });
    const gpu = project({ name: "gpu", computeType: "BUILD_GENERAL1_LARGE", environmentType: "LINUX_GPU_CONTAINER" });
    const odd = project({ name: "odd", computeType: "BUILD_LAMBDA_4GB" });
    const snapshot = buildSnapshot({
      managedCompute: {
        codeBuildProjects: [idle, gpu, odd],
        codeBuildBuilds: builds("gpu", 1, { startTime: hoursAgo(1) }),
      },
    });
    expect(estimateManagedCost(ref("codebuild-project", idle.arn), snapshot, NOW)).toMatchObject({
      hourlyUsd: 0,
      soFarUsd: 0,
    });
    expect(estimateManagedCost(ref("codebuild-project", gpu.arn), snapshot, NOW)?.hourlyUsd).toBeCloseTo(0.18 * 60, 2);
    expect(estimateManagedCost(ref("codebuild-project", odd.arn), snapshot, NOW)).toBeUndefined();
  });
});

describe("findings on managed compute carry a cost", () => {
  it("the Fargate campaign: 48 tasks of 4 vCPU / 8 GB in four regions", async () => {
    const { snapshot, config } = await loadScenario("fargate-campaign");
    const report = auditSnapshot(snapshot, config, { generatedAt: NOW });
    const finding = report.findings.find((f) => f.resources.filter((r) => r.type === "ecs-task").length === 48);
    expect(finding?.estimatedHourlyCostUsd).toBeGreaterThan(48 * 0.19);
    expect(finding?.estimatedHourlyCostUsd).toBeLessThan(48 * 0.25);
    expect(finding?.resources.find((r) => r.type === "ecs-task")?.hourlyCostUsd).toBeGreaterThan(0.19);
    expect(finding?.evidence.find((e) => e.kind === "pricing")?.message).toContain("48 x Fargate 4 vCPU / 8 GB");
    expect(report.summary.estimatedHourlyCostUsd).toBeGreaterThanOrEqual(finding?.estimatedHourlyCostUsd ?? 0);
  });

  it("AMBERSQUID: notebooks and builds priced, Amplify apps named as not priced", async () => {
    const { snapshot, config } = await loadScenario("ambersquid-campaign");
    const report = auditSnapshot(snapshot, config, { generatedAt: NOW });
    const finding = report.findings.find((f) => f.resources.some((r) => r.type === "sagemaker-notebook"));
    expect(finding?.estimatedHourlyCostUsd).toBeGreaterThan(0);
    expect(finding?.estimatedCostSoFarUsd).toBeGreaterThan(0);
    const note = finding?.evidence.find((e) => e.kind === "pricing")?.message ?? "";
    expect(note).toContain("3 x SageMaker ml.p3.2xlarge (EC2 price + 25 %)");
    expect(note).toContain("Not priced here (Cost Explorer has their spend): 3 amplify-app.");
  });
});
