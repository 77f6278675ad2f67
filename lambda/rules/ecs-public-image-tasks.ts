/**
 * MW-ECS-PUBLIC-IMAGE-TASKS: many or large tasks running a public Docker Hub image from a task
 * definition registered during the audit window. That is the shape of the Fargate campaigns even
 * when the image is renamed and its command shows nothing: register once, run dozens of 4-vCPU
 * tasks. Worse when the principal that registered the task definition also ran the tasks
 * (CloudTrail RunTask), the signature of one leaked key doing both.
 *
 * Teams run public images too (nginx, redis): a handful of small tasks, or a definition registered
 * long ago, stay quiet.
 */
import type { CloudTrailEvent } from "../core/sections/cloudtrail.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import {
  clusterName,
  isDockerHub,
  parseImage,
  type RunningTask,
  runningTasks,
  shortTaskId,
  taskVcpus,
} from "./lib/ecs-images.js";
import type { Rule, Severity, Signal } from "./types.js";

/** Tasks of one public image that count as "many". */
export const MANY_TASKS = 5;
/** Task size (vCPUs) that counts as "large": Fargate's 4 vCPU is the common miner size. */
export const LARGE_TASK_VCPUS = 4;

/** Principals that ran tasks according to CloudTrail RunTask events (identity ARN and role ARN). */
function runTaskPrincipals(snapshot: AccountSnapshot): Set<string> {
  const principals = new Set<string>();
  for (const event of snapshot.cloudTrail?.events ?? []) {
    if (event.eventName !== "RunTask" || event.errorCode) continue;
    for (const arn of principalArns(event)) principals.add(arn);
  }
  return principals;
}

function principalArns(event: CloudTrailEvent): string[] {
  return [event.principal.arn, event.principal.roleArn].filter((a): a is string => a !== undefined);
}

/**
 * registeredBy is the identity ARN (a user, or an assumed-role session or role): it matches a RunTask
 * principal by its identity ARN, or by the role both sessions came from.
 */
function ranBySamePrincipal(registeredBy: string, runners: Set<string>): boolean {
  if (runners.has(registeredBy)) return true;
  const session = /^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\//.exec(registeredBy);
  return session ? runners.has(`arn:${session[1]}:iam::${session[2]}:role/${session[3]}`) : false;
}

export const ecsPublicImageTasks: Rule = {
  id: "MW-ECS-PUBLIC-IMAGE-TASKS",
  title: "Many or large ECS tasks from a public image registered in the window",
  severity: "high",
  category: "inventory",
  rationale:
    "Fargate mining campaigns register a task definition pointing at a public Docker Hub image and run it as dozens of 4-vCPU tasks across regions, " +
    "often with the same leaked key for both steps. Images pulled from Docker Hub by a just-registered definition, run at that scale, are rarely a team's own release.",
  recommendation:
    "Check who registered the task definition (registeredBy, CloudTrail RegisterTaskDefinition) and whether that principal deploys containers here. " +
    "If not, stop the tasks, deregister the task definition, and deactivate the access key that ran them.",
  evaluate(snapshot, { now }) {
    if (!snapshot.ecs) return [];
    const windowStart = Date.parse(snapshot.window.start);
    const runners = runTaskPrincipals(snapshot);

    // Group by public image: a campaign registers one definition per region with the same image.
    const byImage = new Map<string, RunningTask[]>();
    for (const running of runningTasks(snapshot)) {
      const definition = running.definition;
      // Not applicable without the task definition or its registration time.
      if (!definition?.registeredAt) continue;
      const registered = Date.parse(definition.registeredAt);
      if (registered < windowStart || registered > now.getTime()) continue;
      const publicImages = definition.containers.map((c) => c.image).filter(isDockerHub);
      const image = publicImages[0];
      if (!image) continue;
      const key = parseImage(image).repository;
      byImage.set(key, [...(byImage.get(key) ?? []), running]);
    }

    const signals: Signal[] = [];
    for (const [repository, group] of [...byImage].sort(([a], [b]) => a.localeCompare(b))) {
      const many = group.length >= MANY_TASKS;
      const regions = [...new Set(group.map((g) => g.task.region))].sort();
      const registrants = [...new Set(group.flatMap((g) => g.definition?.registeredBy ?? []))].sort();
      for (const { task, definition } of group) {
        if (!definition) continue;
        const vcpus = taskVcpus(task, definition);
        const large = vcpus !== undefined && vcpus >= LARGE_TASK_VCPUS;
        if (!many && !large) continue;
        const sameRunner = definition.registeredBy ? ranBySamePrincipal(definition.registeredBy, runners) : false;
        const severity: Severity = sameRunner || (many && large) ? "high" : "medium";
        const scale = [
          many ? `${group.length} running tasks of this image in ${regions.join(", ")}` : undefined,
          large ? `${vcpus} vCPU each` : undefined,
        ]
          .filter(Boolean)
          .join(", ");
        const who = definition.registeredBy
          ? ` by ${definition.registeredBy}${sameRunner ? ", the same principal CloudTrail shows running the tasks" : ""}`
          : "";
        signals.push({
          ruleId: ecsPublicImageTasks.id,
          resource: { type: "ecs-task", id: task.taskArn, region: task.region },
          severity,
          message:
            `ECS task ${shortTaskId(task.taskArn)} in cluster ${clusterName(task.clusterArn)}, ${task.region}, runs the public Docker Hub image ${repository} ` +
            `from task definition ${definition.family}:${definition.revision}, registered ${definition.registeredAt}${who} (${scale}).`,
          details: {
            taskArn: task.taskArn,
            taskDefinitionArn: definition.arn,
            image: repository,
            tasksOfImage: group.length,
            regions,
            vcpus: vcpus ?? null,
            registeredAt: definition.registeredAt ?? null,
            registeredBy: definition.registeredBy ?? null,
            registrants,
            ranBySamePrincipal: sameRunner,
            manyTasksThreshold: MANY_TASKS,
            largeTaskVcpus: LARGE_TASK_VCPUS,
          },
        });
      }
    }
    return signals;
  },
};
