/**
 * The ECS collector: clusters, the tasks running in them (Fargate and EC2 launch types) and the
 * task definitions behind those tasks, with images and commands. Public miner images on Fargate,
 * run as dozens of 4-vCPU tasks in several regions, are how leaked keys mine without EC2.
 *
 * Container commands, environments and RunTask overrides can hold secrets: they are stored redacted
 * (redactSecrets) and capped. Secrets referenced from Secrets Manager or SSM (valueFrom) are never read.
 */
import {
  type ContainerDefinition,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  type KeyValuePair,
  paginateListClusters,
  paginateListTasks,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import pLimit from "p-limit";
import { redactSecrets } from "../core/redact.js";
import type { Ecs, EcsCluster, EcsTask, EcsTaskDefinition } from "../core/sections/containers.js";
import { type CoverageRecorder, classifyAwsError } from "./coverage.js";
import { REGION_CONCURRENCY } from "./limits.js";
import type { SectionCollector, SectionContext } from "./sections.js";

const SERVICE = "ecs";

/** ListClusters / ListTasks page size and DescribeClusters / DescribeTasks batch size (both API maxima). */
export const ECS_PAGE_SIZE = 100;
export const ECS_DESCRIBE_BATCH = 100;
/** Running tasks read per region; a 2024 campaign ran hundreds, enough to see the pattern. */
export const DEFAULT_TASK_CAP = 2000;
/** Distinct task definitions described per region (one unpaginated call each). */
export const DEFAULT_TASK_DEFINITION_CAP = 200;
/** Task definition reads in flight per region. */
const TASK_DEFINITION_CONCURRENCY = 4;
/** Stored command / environment text per container: enough for a miner's command line. */
export const CONTAINER_TEXT_CAP = 4096;

export interface EcsRegionInput {
  client: ECSClient;
  region: string;
  coverage: CoverageRecorder;
  taskCap?: number;
  taskDefinitionCap?: number;
}

export interface EcsRegionResult {
  read: boolean;
  clusters: EcsCluster[];
  tasks: EcsTask[];
  taskDefinitions: EcsTaskDefinition[];
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let k = 0; k < items.length; k += size) out.push(items.slice(k, k + size));
  return out;
}

function iso(value: Date | undefined): string | undefined {
  return value && !Number.isNaN(value.getTime()) ? value.toISOString() : undefined;
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Redacted and capped: what a report may quote. */
function storedText(text: string): string | undefined {
  if (text.trim() === "") return undefined;
  const redacted = redactSecrets(text);
  return redacted.length > CONTAINER_TEXT_CAP ? `${redacted.slice(0, CONTAINER_TEXT_CAP)}...` : redacted;
}

function commandText(...parts: (string[] | undefined)[]): string | undefined {
  return storedText(parts.flatMap((p) => p ?? []).join(" "));
}

function environmentText(environment: KeyValuePair[] | undefined): string | undefined {
  return storedText(
    (environment ?? [])
      .filter((pair) => pair.name)
      .map((pair) => `${pair.name}=${pair.value ?? ""}`)
      .join("\n"),
  );
}

/**
 * Records how a set of per-item calls went as one coverage entry: ok, partial (some failed) or
 * failed (all failed), so a thousand failing calls do not become a thousand entries.
 */
class CallTally {
  private failures = 0;
  private calls = 0;
  private firstError: unknown;

  constructor(
    private readonly region: string,
    private readonly api: string,
  ) {}

  succeeded(): void {
    this.calls += 1;
  }

  failed(error: unknown): void {
    this.calls += 1;
    this.failures += 1;
    this.firstError ??= error;
  }

  record(coverage: CoverageRecorder, unit: string): void {
    if (this.calls === 0) return;
    if (this.failures === 0) coverage.ok(this.region, SERVICE, this.api, `${this.calls} call(s)`);
    else if (this.failures === this.calls) coverage.failed(this.region, SERVICE, this.api, this.firstError);
    else {
      const { reason, message } = classifyAwsError(this.firstError);
      coverage.partial(
        this.region,
        SERVICE,
        this.api,
        reason,
        `${this.failures} of ${this.calls} calls failed, their ${unit} not read: ${message}`,
      );
    }
  }
}

export async function collectEcsRegion(input: EcsRegionInput): Promise<EcsRegionResult> {
  const { client, region, coverage } = input;
  const empty: EcsRegionResult = { read: false, clusters: [], tasks: [], taskDefinitions: [] };

  const clusterArns: string[] = [];
  try {
    for await (const page of paginateListClusters({ client, pageSize: ECS_PAGE_SIZE }, {})) {
      clusterArns.push(...(page.clusterArns ?? []));
    }
  } catch (error) {
    coverage.failed(region, SERVICE, "ListClusters", error);
    return empty;
  }
  coverage.ok(region, SERVICE, "ListClusters", `${clusterArns.length} cluster(s)`);
  if (clusterArns.length === 0) return { ...empty, read: true };

  const clusters = await describeClusters(client, region, clusterArns, coverage);
  const tasks = await listRunningTasks(input, clusterArns);
  const taskDefinitions = await describeTaskDefinitions(input, tasks);
  return { read: true, clusters, tasks, taskDefinitions };
}

async function describeClusters(
  client: ECSClient,
  region: string,
  arns: string[],
  coverage: CoverageRecorder,
): Promise<EcsCluster[]> {
  const clusters: EcsCluster[] = [];
  const tally = new CallTally(region, "DescribeClusters");
  for (const batch of chunk(arns, ECS_DESCRIBE_BATCH)) {
    try {
      const answer = await client.send(new DescribeClustersCommand({ clusters: batch, include: ["TAGS"] }));
      tally.succeeded();
      for (const raw of answer.clusters ?? []) {
        if (!raw.clusterArn) continue;
        clusters.push({
          arn: raw.clusterArn,
          name: raw.clusterName ?? raw.clusterArn.split("/").pop() ?? raw.clusterArn,
          region,
          ...(raw.status ? { status: raw.status } : {}),
          runningTasksCount: raw.runningTasksCount ?? 0,
          tags: Object.fromEntries((raw.tags ?? []).flatMap((t) => (t.key ? [[t.key, t.value ?? ""]] : []))),
        });
      }
    } catch (error) {
      tally.failed(error);
    }
  }
  tally.record(coverage, "clusters' details");
  return clusters;
}

/** Running tasks of every cluster, up to the region's task cap. */
async function listRunningTasks(input: EcsRegionInput, clusterArns: string[]): Promise<EcsTask[]> {
  const { client, region, coverage } = input;
  const cap = input.taskCap ?? DEFAULT_TASK_CAP;
  const tasks: EcsTask[] = [];
  const listTally = new CallTally(region, "ListTasks");
  const describeTally = new CallTally(region, "DescribeTasks");
  let capped = false;

  for (const cluster of clusterArns) {
    if (tasks.length >= cap) {
      capped = true;
      break;
    }
    const taskArns: string[] = [];
    try {
      const pager = paginateListTasks({ client, pageSize: ECS_PAGE_SIZE }, { cluster, desiredStatus: "RUNNING" });
      for await (const page of pager) {
        taskArns.push(...(page.taskArns ?? []));
        if (tasks.length + taskArns.length >= cap) {
          capped = capped || tasks.length + taskArns.length > cap || page.nextToken !== undefined;
          break;
        }
      }
      listTally.succeeded();
    } catch (error) {
      listTally.failed(error);
    }
    const wanted = taskArns.slice(0, cap - tasks.length);
    for (const batch of chunk(wanted, ECS_DESCRIBE_BATCH)) {
      try {
        const answer = await client.send(new DescribeTasksCommand({ cluster, tasks: batch }));
        describeTally.succeeded();
        for (const raw of answer.tasks ?? []) {
          const task = toTask(raw, region, cluster);
          if (task) tasks.push(task);
        }
      } catch (error) {
        describeTally.failed(error);
      }
    }
  }
  listTally.record(coverage, "clusters' tasks");
  describeTally.record(coverage, "tasks");
  if (capped) {
    coverage.partial(
      region,
      SERVICE,
      "ListTasks",
      "not-requested",
      `more than ${cap} running tasks; the first ${cap} were read`,
    );
  }
  return tasks;
}

export function toTask(raw: Task, region: string, cluster: string): EcsTask | undefined {
  if (!raw.taskArn || !raw.taskDefinitionArn) return undefined;
  const cpu = toNumber(raw.cpu);
  const memory = toNumber(raw.memory);
  const startedAt = iso(raw.startedAt);
  const createdAt = iso(raw.createdAt);
  const containerOverrides = (raw.overrides?.containerOverrides ?? []).flatMap((o) => {
    const command = commandText(o.command);
    const environment = environmentText(o.environment);
    if (!o.name || (!command && !environment)) return [];
    return [{ name: o.name, ...(command ? { command } : {}), ...(environment ? { environment } : {}) }];
  });
  return {
    taskArn: raw.taskArn,
    clusterArn: raw.clusterArn ?? cluster,
    region,
    taskDefinitionArn: raw.taskDefinitionArn,
    ...(raw.launchType ? { launchType: raw.launchType } : {}),
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
    ...(raw.lastStatus ? { lastStatus: raw.lastStatus } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(createdAt ? { createdAt } : {}),
    ...(raw.startedBy ? { startedBy: raw.startedBy } : {}),
    ...(raw.group ? { group: raw.group } : {}),
    containerOverrides,
  };
}

async function describeTaskDefinitions(input: EcsRegionInput, tasks: EcsTask[]): Promise<EcsTaskDefinition[]> {
  const { client, region, coverage } = input;
  const cap = input.taskDefinitionCap ?? DEFAULT_TASK_DEFINITION_CAP;
  const arns = [...new Set(tasks.map((t) => t.taskDefinitionArn))].sort();
  if (arns.length === 0) return [];
  const tally = new CallTally(region, "DescribeTaskDefinition");
  const limit = pLimit(TASK_DEFINITION_CONCURRENCY);
  const described = await limit.map(arns.slice(0, cap), async (taskDefinition) => {
    try {
      const answer = await client.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
      tally.succeeded();
      return answer.taskDefinition ? toTaskDefinition(answer.taskDefinition, region) : undefined;
    } catch (error) {
      tally.failed(error);
      return undefined;
    }
  });
  tally.record(coverage, "task definitions");
  if (arns.length > cap) {
    coverage.partial(
      region,
      SERVICE,
      "DescribeTaskDefinition",
      "not-requested",
      `${arns.length} distinct task definitions run; the first ${cap} were read, images and commands of the rest were not checked`,
    );
  }
  return described.filter((d): d is EcsTaskDefinition => d !== undefined);
}

function toContainer(raw: ContainerDefinition): EcsTaskDefinition["containers"][number] | undefined {
  if (!raw.name || !raw.image) return undefined;
  const command = commandText(raw.entryPoint, raw.command);
  const environment = environmentText(raw.environment);
  return {
    name: raw.name,
    image: raw.image,
    ...(command ? { command } : {}),
    ...(environment ? { environment } : {}),
    ...(raw.cpu !== undefined ? { cpu: raw.cpu } : {}),
    ...(raw.memory !== undefined ? { memory: raw.memory } : {}),
  };
}

export function toTaskDefinition(raw: TaskDefinition, region: string): EcsTaskDefinition | undefined {
  if (!raw.taskDefinitionArn || !raw.family || raw.revision === undefined) return undefined;
  const cpu = toNumber(raw.cpu);
  const memory = toNumber(raw.memory);
  const registeredAt = iso(raw.registeredAt);
  return {
    arn: raw.taskDefinitionArn,
    family: raw.family,
    revision: raw.revision,
    region,
    ...(registeredAt ? { registeredAt } : {}),
    ...(raw.registeredBy ? { registeredBy: raw.registeredBy } : {}),
    ...(cpu !== undefined ? { cpu } : {}),
    ...(memory !== undefined ? { memory } : {}),
    requiresCompatibilities: raw.requiresCompatibilities ?? [],
    containers: (raw.containerDefinitions ?? []).flatMap((c) => toContainer(c) ?? []),
  };
}

export async function collectEcs(context: SectionContext): Promise<Ecs> {
  const limit = pLimit(REGION_CONCURRENCY);
  const results = await limit.map(context.regions, async (region) => ({
    region,
    ...(await collectEcsRegion({ client: context.clients.ecs(region), region, coverage: context.coverage })),
  }));
  const tasks = results.flatMap((r) => r.tasks);
  context.progress(`ECS: ${tasks.length} running task(s) in ${results.filter((r) => r.read).length} region(s)`);
  return {
    regionsRead: results.filter((r) => r.read).map((r) => r.region),
    clusters: results.flatMap((r) => r.clusters),
    tasks,
    taskDefinitions: results.flatMap((r) => r.taskDefinitions),
  };
}

export const ecsCollector: SectionCollector = {
  name: SERVICE,
  async collect(context) {
    return { ecs: await collectEcs(context) };
  },
};
