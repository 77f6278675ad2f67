import { describe, expect, it } from "vitest";
import type { AccountSnapshotInput } from "../../lambda/core/snapshot.js";
import { costNewSpend } from "../../lambda/rules/cost-new-spend.js";
import { serviceNewCompute } from "../../lambda/rules/service-new-compute.js";
import { buildSnapshot, daysAgo, hoursAgo, ruleContext } from "../support/snapshot-builder.js";
import { amplifyApp, costsWithout, notebook, project } from "./managed-fixtures.js";

function run(partial: Partial<AccountSnapshotInput>) {
  const snapshot = buildSnapshot(partial);
  return serviceNewCompute.evaluate(snapshot, ruleContext(snapshot));
}

const NEW_NOTEBOOK = notebook({ name: "gpu-lab", instanceType: "ml.p3.2xlarge", creationTime: hoursAgo(5) });
const fargateTask = (startedAt: string) => ({
  taskArn: "arn:aws:ecs:eu-west-1:123456789012:task/miners/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
  clusterArn: "arn:aws:ecs:eu-west-1:123456789012:cluster/miners",
  region: "eu-west-1",
  taskDefinitionArn: "arn:aws:ecs:eu-west-1:123456789012:task-definition/miner:1",
  launchType: "FARGATE",
  cpu: 4096,
  memory: 8192,
  startedAt,
});

describe("MW-SERVICE-NEW-COMPUTE", () => {
  const cases: { name: string; partial: Partial<AccountSnapshotInput>; expected: string[] }[] = [
    {
      name: "fires per resource: a notebook created in the window, no SageMaker spend ever",
      partial: { costs: costsWithout("Amazon SageMaker"), managedCompute: { notebookInstances: [NEW_NOTEBOOK] } },
      expected: ["sagemaker-notebook:medium"],
    },
    {
      name: "fires when the service has no cost line at all (never billed)",
      partial: {
        costs: costsWithout("Amazon Elastic Compute Cloud - Compute"),
        managedCompute: {
          codeBuildProjects: [project({ name: "x", created: hoursAgo(3) })],
          amplifyApps: [amplifyApp()],
        },
      },
      expected: ["codebuild-project:medium", "amplify-app:medium"],
    },
    {
      name: "fires for Fargate tasks started in the window",
      partial: {
        costs: costsWithout("Amazon Elastic Container Service"),
        ecs: { tasks: [fargateTask(hoursAgo(2))] },
      },
      expected: ["ecs-task:medium"],
    },
    {
      name: "quiet: the account has paid for SageMaker in its baseline",
      partial: {
        costs: { ...costsWithout("Amazon SageMaker"), byService: { "Amazon SageMaker": Array(15).fill(12) } },
        managedCompute: { notebookInstances: [NEW_NOTEBOOK] },
      },
      expected: [],
    },
    {
      name: "quiet: a notebook created before the window",
      partial: {
        costs: costsWithout("Amazon SageMaker"),
        managedCompute: { notebookInstances: [notebook({ creationTime: daysAgo(3) })] },
      },
      expected: [],
    },
    {
      name: "quiet: an ECS task on EC2 capacity (billed as EC2)",
      partial: {
        costs: costsWithout("Amazon Elastic Container Service"),
        ecs: { tasks: [{ ...fargateTask(hoursAgo(2)), launchType: "EC2" }] },
      },
      expected: [],
    },
    {
      name: "data missing: no costs, so new cannot be told from usual",
      partial: { managedCompute: { notebookInstances: [NEW_NOTEBOOK] } },
      expected: [],
    },
    {
      name: "data missing: a cost series too short for a baseline",
      partial: {
        costs: {
          days: [daysAgo(2).slice(0, 10), daysAgo(1).slice(0, 10), daysAgo(0).slice(0, 10)],
          byService: {},
        },
        managedCompute: { notebookInstances: [NEW_NOTEBOOK] },
      },
      expected: [],
    },
    {
      name: "not applicable: no managed compute or ECS section",
      partial: { costs: costsWithout("Amazon SageMaker") },
      expected: [],
    },
  ];

  it.each(cases)("$name", ({ partial, expected }) => {
    expect(run(partial).map((s) => `${s.resource.type}:${s.severity}`)).toEqual(expected);
  });

  it("names the resource and the spend so far", () => {
    const [signal] = run({
      costs: costsWithout("Amazon SageMaker", [0, 14.5, 88]),
      managedCompute: { notebookInstances: [NEW_NOTEBOOK] },
    });
    expect(signal?.resource.id).toBe(NEW_NOTEBOOK.arn);
    expect(signal?.message).toContain("SageMaker notebook gpu-lab (ml.p3.2xlarge)");
    expect(signal?.message).toContain("$102.50 of SageMaker spend");
    expect(signal?.details).toMatchObject({ costService: "Amazon SageMaker", recentSpendUsd: 102.5 });
  });

  it("complements MW-COST-NEW-SPEND: that rule reports the money, this one the resources", () => {
    const snapshot = buildSnapshot({
      costs: costsWithout("Amazon SageMaker", [0, 14.5, 88]),
      managedCompute: { notebookInstances: [NEW_NOTEBOOK, notebook({ name: "second", creationTime: hoursAgo(4) })] },
    });
    const context = ruleContext(snapshot);
    const spend = costNewSpend.evaluate(snapshot, context);
    const resources = serviceNewCompute.evaluate(snapshot, context);
    expect(spend.map((s) => s.resource)).toEqual([{ type: "service-spend", id: "Amazon SageMaker", region: "global" }]);
    expect(resources.map((s) => s.resource.type)).toEqual(["sagemaker-notebook", "sagemaker-notebook"]);
  });
});
