/**
 * Facts about a non-EC2 resource a signal names (an ECS task, a notebook, a relaunch group), looked
 * up in the snapshot's sections: when it was created, its size and state. Correlation uses the
 * creation time for "first seen" and stable ids; the report shows the rest next to the resource.
 */
import type { EcsTask } from "../core/sections/containers.js";
import type { CodeBuildProject, NotebookInstance } from "../core/sections/managed-compute.js";
import type { AccountSnapshot } from "../core/snapshot.js";
import type { ResourceRef } from "../rules/types.js";

export interface ResourceFacts {
  createdAt?: string;
  /** Instance type, task size or compute type: what it runs on. */
  size?: string;
  state?: string;
  /** For ECS tasks: the cluster, needed to stop the task. */
  cluster?: string;
  /** For ECS tasks started by a service: the service that would start them again. */
  service?: string;
}

type Sections = Pick<AccountSnapshot, "ecs" | "managedCompute" | "relaunch">;

function inRegionOf(ref: ResourceRef) {
  return <T extends { region: string }>(item: T) => item.region === ref.region || ref.region === "global";
}

/** The ECS task a ref names, by ARN or task id. */
export function findEcsTask(ref: ResourceRef, snapshot: Pick<AccountSnapshot, "ecs">): EcsTask | undefined {
  const sameRegion = inRegionOf(ref);
  return snapshot.ecs?.tasks.find((t) => (t.taskArn === ref.id || t.taskArn.endsWith(`/${ref.id}`)) && sameRegion(t));
}

/** The SageMaker notebook instance a ref names, by name or ARN. */
export function findNotebook(
  ref: ResourceRef,
  snapshot: Pick<AccountSnapshot, "managedCompute">,
): NotebookInstance | undefined {
  const sameRegion = inRegionOf(ref);
  return snapshot.managedCompute?.notebookInstances.find(
    (n) => (n.name === ref.id || n.arn === ref.id) && sameRegion(n),
  );
}

/** The CodeBuild project a ref names, by name or ARN. */
export function findCodeBuildProject(
  ref: ResourceRef,
  snapshot: Pick<AccountSnapshot, "managedCompute">,
): CodeBuildProject | undefined {
  const sameRegion = inRegionOf(ref);
  return snapshot.managedCompute?.codeBuildProjects.find(
    (p) => (p.name === ref.id || p.arn === ref.id) && sameRegion(p),
  );
}

export function resourceFacts(ref: ResourceRef, snapshot: Sections): ResourceFacts {
  const sameRegion = inRegionOf(ref);
  switch (ref.type) {
    case "ecs-task": {
      const task = findEcsTask(ref, snapshot);
      if (!task) return {};
      const service = task.group?.startsWith("service:") ? task.group.slice("service:".length) : undefined;
      return compact({
        createdAt: task.startedAt ?? task.createdAt,
        size: [task.launchType, task.cpu !== undefined ? `${task.cpu / 1024} vCPU` : undefined]
          .filter(Boolean)
          .join(" "),
        state: task.lastStatus,
        cluster: task.clusterArn,
        service,
      });
    }
    case "sagemaker-notebook": {
      const notebook = findNotebook(ref, snapshot);
      return notebook
        ? compact({ createdAt: notebook.creationTime, size: notebook.instanceType, state: notebook.status })
        : {};
    }
    case "codebuild-project": {
      const project = findCodeBuildProject(ref, snapshot);
      return project ? compact({ createdAt: project.created, size: project.computeType }) : {};
    }
    case "amplify-app": {
      const app = snapshot.managedCompute?.amplifyApps.find(
        (a) => (a.appId === ref.id || a.name === ref.id) && sameRegion(a),
      );
      return app ? compact({ createdAt: app.createTime }) : {};
    }
    case "lambda-function": {
      const fn = snapshot.managedCompute?.lambdaFunctions.find(
        (f) => (f.name === ref.id || f.arn === ref.id) && sameRegion(f),
      );
      return fn ? compact({ createdAt: fn.lastModified, size: `${fn.memorySize} MB, ${fn.timeout} s` }) : {};
    }
    case "autoscaling-group": {
      const group = snapshot.relaunch?.autoScalingGroups.find(
        (g) => (g.name === ref.id || g.arn === ref.id) && sameRegion(g),
      );
      return group
        ? compact({ createdAt: group.createdTime, size: `${group.minSize}/${group.maxSize}/${group.desiredCapacity}` })
        : {};
    }
    case "spot-request": {
      const request = snapshot.relaunch?.spotRequests.find((r) => r.id === ref.id && sameRegion(r));
      return request
        ? compact({
            createdAt: request.createTime,
            size: request.instanceType,
            state: `${request.type}, ${request.state}`,
          })
        : {};
    }
    case "ec2-fleet":
    case "spot-fleet": {
      const fleet = snapshot.relaunch?.fleets.find((f) => f.id === ref.id && sameRegion(f));
      return fleet
        ? compact({ createdAt: fleet.createTime, state: [fleet.type, fleet.state].filter(Boolean).join(", ") })
        : {};
    }
    default:
      return {};
  }
}

/** Name of an Auto Scaling group from its name or ARN (…:autoScalingGroupName/NAME). */
export function autoScalingGroupName(id: string): string {
  const marker = "autoScalingGroupName/";
  const at = id.indexOf(marker);
  return at >= 0 ? id.slice(at + marker.length) : id;
}

function compact(facts: ResourceFacts): ResourceFacts {
  return Object.fromEntries(
    Object.entries(facts).filter(([, value]) => value !== undefined && value !== ""),
  ) as ResourceFacts;
}
