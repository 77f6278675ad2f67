/**
 * MW-SERVICE-NEW-COMPUTE: compute created in the window in a service the account never paid for
 * (SageMaker, CodeBuild, Amplify, Fargate, Lambda): one signal per resource, naming it.
 *
 * It complements MW-COST-NEW-SPEND, which sees the money (a day late, without names); this rule sees
 * the resources as soon as they exist, even before any spend is billed, and names each one. "Never
 * paid for" is the cost profile's baseline (profile.baselineServices): without costs in the snapshot
 * it cannot tell new from usual, so it stays silent and MW-COVERAGE-GAP says why.
 * AWS Batch has a cost line but no inventory in the snapshot yet: its new spend shows only through
 * MW-COST-NEW-SPEND.
 */
import type { AccountSnapshot } from "../core/snapshot.js";
import { MIN_BASELINE_DAYS } from "./cost-new-spend.js";
import { ageText } from "./lib/instances.js";
import { createdInWindow } from "./lib/managed-compute.js";
import { round } from "./lib/series.js";
import type { DetailValue, ResourceRef, Rule, Signal } from "./types.js";

interface NewResource {
  resource: ResourceRef;
  /** "SageMaker notebook ml-lab (ml.p3.2xlarge)". */
  label: string;
  createdAt: string;
}

interface ServiceInventory {
  /** Cost Explorer SERVICE name. */
  costService: string;
  /** Short name for messages. */
  name: string;
  resources(snapshot: AccountSnapshot): NewResource[];
}

/** The compute services with both a cost line and an inventory in the snapshot. */
export const SERVICES: readonly ServiceInventory[] = [
  {
    costService: "Amazon SageMaker",
    name: "SageMaker",
    resources: (s) =>
      (s.managedCompute?.notebookInstances ?? [])
        .filter((n) => createdInWindow(n.creationTime, s))
        .map((n) => ({
          resource: { type: "sagemaker-notebook", id: n.arn, region: n.region },
          label: `SageMaker notebook ${n.name} (${n.instanceType})`,
          createdAt: n.creationTime,
        })),
  },
  {
    costService: "AWS CodeBuild",
    name: "CodeBuild",
    resources: (s) =>
      (s.managedCompute?.codeBuildProjects ?? []).flatMap((p) =>
        p.created && createdInWindow(p.created, s)
          ? [
              {
                resource: { type: "codebuild-project", id: p.arn, region: p.region },
                label: `CodeBuild project ${p.name}${p.computeType ? ` (${p.computeType})` : ""}`,
                createdAt: p.created,
              },
            ]
          : [],
      ),
  },
  {
    costService: "AWS Amplify",
    name: "Amplify",
    resources: (s) =>
      (s.managedCompute?.amplifyApps ?? [])
        .filter((a) => createdInWindow(a.createTime, s))
        .map((a) => ({
          resource: { type: "amplify-app", id: a.appId, region: a.region },
          label: `Amplify app ${a.name}`,
          createdAt: a.createTime,
        })),
  },
  {
    // Fargate bills under ECS; tasks on EC2 capacity bill as EC2 and are judged there.
    costService: "Amazon Elastic Container Service",
    name: "ECS (Fargate)",
    resources: (s) =>
      (s.ecs?.tasks ?? []).flatMap((t) => {
        const at = t.startedAt ?? t.createdAt;
        return t.launchType === "FARGATE" && at && createdInWindow(at, s)
          ? [
              {
                resource: { type: "ecs-task", id: t.taskArn, region: t.region },
                label: `Fargate task ${t.taskArn.split("/").pop() ?? t.taskArn}${t.cpu !== undefined ? ` (${t.cpu / 1024} vCPU)` : ""}`,
                createdAt: at,
              },
            ]
          : [];
      }),
  },
  {
    costService: "AWS Lambda",
    name: "Lambda",
    resources: (s) =>
      (s.managedCompute?.lambdaFunctions ?? [])
        .filter((f) => createdInWindow(f.lastModified, s))
        .map((f) => ({
          resource: { type: "lambda-function", id: f.arn, region: f.region },
          label: `Lambda function ${f.name} (${f.memorySize} MB, ${f.timeout} s)`,
          createdAt: f.lastModified,
        })),
  },
];

export const serviceNewCompute: Rule = {
  id: "MW-SERVICE-NEW-COMPUTE",
  title: "Compute created in a service the account never used",
  severity: "medium",
  category: "inventory",
  rationale:
    "Attackers who expect EC2 to be watched mine on managed services instead: SageMaker notebooks, CodeBuild, Amplify, Fargate, Lambda. " +
    "A resource created in the window in a compute service with no spend in the cost baseline is new to the account; this names each one, " +
    "before the spend shows in Cost Explorer (MW-COST-NEW-SPEND reports the money).",
  recommendation:
    "Ask who owns each resource named. If nobody does, find its creator in CloudTrail, stop or delete it, and deactivate the access key used; " +
    "consider an SCP that denies services the account does not use.",
  evaluate(snapshot, { profile }) {
    const costs = snapshot.costs;
    // Without a cost baseline "never used" cannot be told from "not read".
    if (!costs || profile.costRecentStartIndex < MIN_BASELINE_DAYS) return [];
    const baseline = new Set(profile.baselineServices);
    const now = new Date(snapshot.window.end);
    const signals: Signal[] = [];
    for (const service of SERVICES) {
      if (baseline.has(service.costService)) continue;
      const recent = (costs.byService[service.costService] ?? []).slice(profile.costRecentStartIndex);
      const recentSpend = round(
        recent.reduce((a, b) => a + b, 0),
        2,
      );
      const spendNote =
        recentSpend > 0
          ? `$${recentSpend.toFixed(2)} of ${service.name} spend over the last ${recent.length} days`
          : `no ${service.name} spend billed yet`;
      for (const item of service.resources(snapshot)) {
        const details: Record<string, DetailValue> = {
          costService: service.costService,
          createdAt: item.createdAt,
          baselineDays: profile.costRecentStartIndex,
          recentSpendUsd: recentSpend,
        };
        signals.push({
          ruleId: serviceNewCompute.id,
          resource: item.resource,
          severity: "medium",
          message:
            `${item.label} was created ${ageText(item.createdAt, now)} ago in ${item.resource.region}; the account had no ${service.name} spend ` +
            `in the previous ${profile.costRecentStartIndex} days (${spendNote}).`,
          details,
        });
      }
    }
    return signals;
  },
};
