/**
 * Generates scenarios/fargate-campaign/snapshot.json. Run: `npx tsx scripts/scenarios/fargate-campaign.ts`.
 *
 * The story (scenario.yaml says what Minewatch must conclude): a retailer runs its shop on ECS
 * Fargate and a few EC2 web servers in us-east-1, with GuardDuty and Runtime Monitoring on there
 * only. An access key of the CI user leaks; about 20 hours before the audit, from one IP, it
 * registers a task definition with a public XMRig image and creates a cluster in each of four
 * regions, then runs 12 Fargate tasks of 4 vCPU in each (RunTask takes at most 10 at a time): 48
 * miners. GuardDuty Runtime Monitoring reports Impact:Runtime/CryptoMinerExecuted for the tasks in
 * us-east-1; elsewhere GuardDuty is off and sees nothing. Cost Explorer starts to show the new
 * Fargate spend. The shop's own tasks (its ECR image, and an nginx sidecar from Docker Hub
 * registered months ago), its web servers and its Lambda functions must stay quiet.
 *
 * Deterministic: noise from per-resource seeded streams, ids from names (stableId).
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { redactSecrets } from "../../lambda/core/redact.js";
import type { CloudTrailEvent } from "../../lambda/core/sections/cloudtrail.js";
import type { EcsCluster, EcsTask, EcsTaskDefinition } from "../../lambda/core/sections/containers.js";
import type { GuardDutyFinding } from "../../lambda/core/sections/guardduty.js";
import type { LambdaFunction } from "../../lambda/core/sections/managed-compute.js";
import {
  type AccountSnapshot,
  type AccountSnapshotInput,
  AccountSnapshotSchema,
  type CoverageEntry,
  type Instance,
  type InstanceMetrics,
  SNAPSHOT_SCHEMA_VERSION,
} from "../../lambda/core/snapshot.js";
import { DEFAULT_REGIONS } from "./account-builder.js";
import {
  between,
  CostLedger,
  DAY_MS,
  dayRange,
  diurnalLoad,
  hoursBefore,
  iso,
  isWeekend,
  MINUTE_MS,
  metricSeries,
  percent,
  Rng,
  regionList,
  SERVICE,
  seedFrom,
  stableId,
  writeCompactJson,
} from "./lib.js";

export const ACCOUNT_ID = "210987654321";
export const HOME_REGION = "us-east-1";
export const WINDOW_END = "2026-10-14T06:00:00.000Z";
const WINDOW_START = hoursBefore(WINDOW_END, 24);
const COLLECTED_AT = "2026-10-14T06:02:57.000Z";
const METRIC_HISTORY_DAYS = 21;
const COST_DAYS = 60;
/** Cost Explorer lags: usage after this is not billed yet. */
const COST_BILLED_UNTIL = "2026-10-14T02:00:00.000Z";
/** The leaked key's first call (about 20 hours before the window end). */
const ATTACK_START = "2026-10-13T09:47:12.000Z";

/** The CI user whose key leaked, the key, and where the attacker called from (TEST-NET address). */
export const LEAKED_USER_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/ci-deploy`;
export const LEAKED_ACCESS_KEY_ID = "AKIATQ3F7CAMPAIGN024";
export const ATTACKER_IP = "198.51.100.74";
const ATTACKER_USER_AGENT =
  "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1017-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.run-task";

/** The attacker's regions, in the order it worked through them. */
export const CAMPAIGN_REGIONS = ["us-east-1", "us-west-2", "eu-central-1", "ap-southeast-1"] as const;
export const TASKS_PER_REGION = 12;
const MINER_IMAGE = "metal3d/xmrig:latest";
const MINER_FAMILY = "ecs-worker-prod";
const WALLET = "48edfHu7V9Z84YzzMa6fUueoELZ9ZRXq9VetWzYGzKt52XU5xvqgzYnDK9URnRoJMk1j8nLwEVsaSWJ4fhdUyZijBGUicoD";
const MINER_COMMAND = `xmrig -o pool.supportxmr.com:443 --tls -u ${WALLET} -p fargate --donate-level 1 --cpu-max-threads-hint 100`;

/** Fargate on-demand prices (USD per vCPU-hour, per GB-hour), Linux/x86. */
const FARGATE_PRICES: Record<string, { vcpu: number; gb: number }> = {
  "us-east-1": { vcpu: 0.04048, gb: 0.004445 },
  "us-west-2": { vcpu: 0.04048, gb: 0.004445 },
  "eu-central-1": { vcpu: 0.04656, gb: 0.00511 },
  "ap-southeast-1": { vcpu: 0.05056, gb: 0.00553 },
};
const ECS_SERVICE = "Amazon Elastic Container Service";

const ENABLED_REGIONS: string[] = [...DEFAULT_REGIONS];
const NOT_OPTED_IN_REGIONS = ["af-south-1", "ap-east-1", "me-south-1"];

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), "../../scenarios/fargate-campaign/snapshot.json");

function minutesAfter(from: string, minutes: number): string {
  return iso(Date.parse(from) + minutes * MINUTE_MS);
}

function fargateHourly(region: string, vcpus: number, memoryGb: number): number {
  const price = FARGATE_PRICES[region] ?? { vcpu: 0.04048, gb: 0.004445 };
  return vcpus * price.vcpu + memoryGb * price.gb;
}

/** 32 hex digits derived from a name: the shape of ECS task ids and GuardDuty finding ids. */
function hex32(kind: string, name: string): string {
  return `${stableId(kind, name).slice(-16)}${stableId(`${kind}2`, name).slice(-16)}`;
}

function taskId(name: string): string {
  return hex32("task", name);
}

/** A CloudTrail event id (a UUID) derived from a name. */
function eventUuid(name: string): string {
  const h = hex32("event", name);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// The shop: EC2 web servers, its own Fargate service, Lambda functions

const WEB_SERVERS = ["web-1", "web-2", "web-3"];

function webInstances(): Instance[] {
  return WEB_SERVERS.map((name, k) => {
    const rng = new Rng(seedFrom(`instance:${name}`));
    return {
      instanceId: stableId("i", name),
      region: HOME_REGION,
      instanceType: "m5.large",
      state: "running",
      launchTime: iso(Date.parse(WINDOW_END) - (180 + k * 11) * DAY_MS + rng.int(0, 3600) * 1000),
      imageId: "ami-0e86e20dae9224db8",
      keyName: "shop-ops",
      vpcId: "vpc-0a4c1e2f3b5d6e7f8",
      subnetId: `subnet-0${rng.hex(16)}`,
      iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/shop-web`,
      tags: { Name: name, Environment: "production", Service: "storefront" },
    };
  });
}

function webMetrics(instance: Instance): InstanceMetrics {
  const rng = new Rng(seedFrom(`cpu:${instance.instanceId}`));
  return {
    cpu: metricSeries({
      start: hoursBefore(WINDOW_END, METRIC_HISTORY_DAYS * 24),
      end: WINDOW_END,
      value: (ms) => percent(between(diurnalLoad(ms, 19, { utcOffsetHours: -4 }), 6, 41) + rng.normal(0, 2.5)),
    }),
  };
}

const SHOP_CLUSTER = `arn:aws:ecs:${HOME_REGION}:${ACCOUNT_ID}:cluster/shop-prod`;
const DEPLOY_ROLE_SESSION = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/github-actions-deploy/GitHubActions`;

function shopTaskDefinitions(): EcsTaskDefinition[] {
  return [
    {
      arn: `arn:aws:ecs:${HOME_REGION}:${ACCOUNT_ID}:task-definition/checkout-api:41`,
      family: "checkout-api",
      revision: 41,
      region: HOME_REGION,
      registeredAt: "2026-09-29T14:12:08.000Z",
      registeredBy: DEPLOY_ROLE_SESSION,
      cpu: 1024,
      memory: 2048,
      requiresCompatibilities: ["FARGATE"],
      containers: [
        {
          name: "checkout-api",
          image: `${ACCOUNT_ID}.dkr.ecr.${HOME_REGION}.amazonaws.com/checkout-api:2026.09.29-3f9c1ab`,
          command: "node dist/server.js",
          environment: redactSecrets(
            "NODE_ENV=production\nPORT=8080\nSTRIPE_API_KEY=sk_live_51Hx8d2EXAMPLEq9Zr0aFakeKey",
          ),
        },
        { name: "nginx", image: "nginx:1.27-alpine" },
      ],
    },
    {
      arn: `arn:aws:ecs:${HOME_REGION}:${ACCOUNT_ID}:task-definition/image-resizer:12`,
      family: "image-resizer",
      revision: 12,
      region: HOME_REGION,
      registeredAt: "2026-06-02T09:40:51.000Z",
      registeredBy: DEPLOY_ROLE_SESSION,
      cpu: 4096,
      memory: 8192,
      requiresCompatibilities: ["FARGATE"],
      containers: [{ name: "resizer", image: "imgproxy/imgproxy:v3.24", environment: "IMGPROXY_WORKERS=8" }],
    },
  ];
}

function shopTasks(definitions: EcsTaskDefinition[]): EcsTask[] {
  const tasks: EcsTask[] = [];
  const plan: { definition: EcsTaskDefinition | undefined; count: number; service: string }[] = [
    { definition: definitions[0], count: 4, service: "checkout" },
    { definition: definitions[1], count: 2, service: "image-resizer" },
  ];
  for (const { definition, count, service } of plan) {
    if (!definition) continue;
    for (let k = 0; k < count; k++) {
      const started = minutesAfter(definition.registeredAt ?? WINDOW_START, 6 + k * 2);
      tasks.push({
        taskArn: `arn:aws:ecs:${HOME_REGION}:${ACCOUNT_ID}:task/shop-prod/${taskId(`${service}-${k}`)}`,
        clusterArn: SHOP_CLUSTER,
        region: HOME_REGION,
        taskDefinitionArn: definition.arn,
        launchType: "FARGATE",
        cpu: definition.cpu,
        memory: definition.memory,
        lastStatus: "RUNNING",
        startedAt: started,
        createdAt: minutesAfter(started, -1),
        startedBy: `ecs-svc/${BigInt(`0x${hex32("svc", service)}`)
          .toString()
          .slice(0, 19)}`,
        group: `service:${service}`,
        containerOverrides: [],
      });
    }
  }
  return tasks;
}

function lambdaFunctions(): LambdaFunction[] {
  const fn = (name: string, memorySize: number, timeout: number, lastModified: string, runtime = "nodejs20.x") => ({
    name,
    arn: `arn:aws:lambda:${HOME_REGION}:${ACCOUNT_ID}:function:${name}`,
    region: HOME_REGION,
    runtime,
    packageType: "Zip",
    memorySize,
    timeout,
    lastModified,
    codeSha256: Buffer.from(stableId("code", name)).toString("base64").slice(0, 43).concat("="),
    role: `arn:aws:iam::${ACCOUNT_ID}:role/${name}-role`,
  });
  return [
    fn("order-events", 512, 30, "2026-09-11T16:20:03.000Z"),
    fn("sitemap-builder", 2048, 900, "2026-08-03T10:05:44.000Z", "python3.12"),
    // Big memory for image work, changed during the window by the deploy pipeline: short timeout.
    fn("thumbnail-render", 10240, 120, "2026-10-13T15:31:26.000Z", "python3.12"),
  ];
}

// ---------------------------------------------------------------------------------------------
// The campaign

interface Campaign {
  clusters: EcsCluster[];
  definitions: EcsTaskDefinition[];
  tasks: EcsTask[];
  events: CloudTrailEvent[];
}

function event(
  name: string,
  region: string,
  time: string,
  resources: CloudTrailEvent["resources"],
  request: Record<string, string>,
): CloudTrailEvent {
  return {
    eventId: eventUuid(`${name}:${region}:${time}`),
    eventTime: time,
    eventName: name,
    eventSource: "ecs.amazonaws.com",
    region,
    principal: {
      type: "IAMUser",
      arn: LEAKED_USER_ARN,
      accountId: ACCOUNT_ID,
      userName: "ci-deploy",
      accessKeyId: LEAKED_ACCESS_KEY_ID,
    },
    sourceIpAddress: ATTACKER_IP,
    userAgent: ATTACKER_USER_AGENT,
    resources,
    request,
  };
}

function buildCampaign(): Campaign {
  const campaign: Campaign = { clusters: [], definitions: [], tasks: [], events: [] };
  CAMPAIGN_REGIONS.forEach((region, r) => {
    const rng = new Rng(seedFrom(`campaign:${region}`));
    const clusterName = `cluster-${stableId("c", region).slice(3, 11)}`;
    const clusterArn = `arn:aws:ecs:${region}:${ACCOUNT_ID}:cluster/${clusterName}`;
    const registeredAt = minutesAfter(ATTACK_START, r * 7 + 1);
    const definitionArn = `arn:aws:ecs:${region}:${ACCOUNT_ID}:task-definition/${MINER_FAMILY}:1`;
    campaign.events.push(
      event("CreateCluster", region, minutesAfter(registeredAt, -1), [{ type: "ecs-cluster", id: clusterArn }], {
        name: clusterName,
      }),
      event("RegisterTaskDefinition", region, registeredAt, [{ type: "ecs-task-definition", id: definitionArn }], {
        family: MINER_FAMILY,
        images: MINER_IMAGE,
        cpu: "4096",
        memory: "8192",
      }),
    );
    campaign.clusters.push({
      arn: clusterArn,
      name: clusterName,
      region,
      status: "ACTIVE",
      runningTasksCount: TASKS_PER_REGION,
      tags: {},
    });
    campaign.definitions.push({
      arn: definitionArn,
      family: MINER_FAMILY,
      revision: 1,
      region,
      registeredAt,
      registeredBy: LEAKED_USER_ARN,
      cpu: 4096,
      memory: 8192,
      requiresCompatibilities: ["FARGATE"],
      containers: [{ name: "worker", image: MINER_IMAGE, command: redactSecrets(MINER_COMMAND) }],
    });
    // RunTask starts at most 10 tasks per call: 10, then 2.
    const batches = [10, TASKS_PER_REGION - 10];
    let index = 0;
    batches.forEach((count, b) => {
      const runAt = minutesAfter(registeredAt, 2 + b);
      const arns: string[] = [];
      for (let k = 0; k < count; k++, index++) {
        const taskArn = `arn:aws:ecs:${region}:${ACCOUNT_ID}:task/${clusterName}/${taskId(`${region}-${index}`)}`;
        arns.push(taskArn);
        const createdAt = iso(Date.parse(runAt) + rng.int(1, 4) * 1000);
        campaign.tasks.push({
          taskArn,
          clusterArn,
          region,
          taskDefinitionArn: definitionArn,
          launchType: "FARGATE",
          cpu: 4096,
          memory: 8192,
          lastStatus: "RUNNING",
          createdAt,
          startedAt: iso(Date.parse(createdAt) + rng.int(35, 80) * 1000),
          group: `family:${MINER_FAMILY}`,
          containerOverrides: [],
        });
      }
      campaign.events.push(
        event(
          "RunTask",
          region,
          runAt,
          [
            { type: "ecs-cluster", id: clusterArn },
            { type: "ecs-task-definition", id: definitionArn },
            ...arns.map((id) => ({ type: "ecs-task", id })),
          ],
          { cluster: clusterName, taskDefinition: `${MINER_FAMILY}:1`, count: String(count), launchType: "FARGATE" },
        ),
      );
    });
  });
  return campaign;
}

/** Runtime Monitoring sees the miner process in every us-east-1 task within minutes of its start. */
function guardDutyFindings(tasks: EcsTask[]): GuardDutyFinding[] {
  return tasks
    .filter((t) => t.region === HOME_REGION && t.taskDefinitionArn.includes(MINER_FAMILY))
    .map((task) => {
      const rng = new Rng(seedFrom(`finding:${task.taskArn}`));
      const firstSeen = iso(Date.parse(task.startedAt ?? WINDOW_START) + rng.int(60, 240) * 1000);
      return {
        id: hex32("finding", task.taskArn),
        region: HOME_REGION,
        type: "Impact:Runtime/CryptoMinerExecuted",
        severity: 8,
        title: "A container has executed a process associated with cryptocurrency mining.",
        resourceType: "ECSCluster",
        resourceId: task.taskArn,
        clusterArn: task.clusterArn,
        archived: false,
        firstSeen,
        lastSeen: iso(Date.parse(WINDOW_END) - rng.int(5, 40) * MINUTE_MS),
        count: rng.int(30, 60),
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Costs and coverage

function buildCosts(campaign: Campaign): NonNullable<AccountSnapshotInput["costs"]> {
  const days = dayRange(WINDOW_END.slice(0, 10), COST_DAYS);
  const ledger = new CostLedger(days);
  const rng = new Rng(seedFrom("costs"));
  const weekday = (day: string) => !isWeekend(new Date(`${day}T00:00:00Z`).getUTCDay());
  const lastFullDay = days.length - 2;
  const dayShare = (index: number) =>
    index <= lastFullDay ? 1 : (Date.parse(COST_BILLED_UNTIL) - Date.parse(`${days.at(-1)}T00:00:00Z`)) / DAY_MS;

  ledger.addDaily(
    { region: HOME_REGION, service: SERVICE.ec2Compute, instanceType: "m5.large" },
    (i) => WEB_SERVERS.length * 24 * 0.096 * dayShare(i),
  );
  // The shop's own Fargate: 4 checkout tasks (1 vCPU, 2 GB) and 2 resizers (4 vCPU, 8 GB).
  const shopFargate = 4 * fargateHourly(HOME_REGION, 1, 2) + 2 * fargateHourly(HOME_REGION, 4, 8);
  ledger.addDaily(
    { region: HOME_REGION, service: ECS_SERVICE },
    (i) => shopFargate * 24 * rng.uniform(0.97, 1.03) * dayShare(i),
  );
  const other: { region: string; service: string; perDay: number }[] = [
    { region: HOME_REGION, service: SERVICE.ec2Other, perDay: 12.4 },
    { region: HOME_REGION, service: SERVICE.s3, perDay: 18.9 },
    { region: HOME_REGION, service: SERVICE.elb, perDay: 5.8 },
    { region: HOME_REGION, service: SERVICE.cloudWatch, perDay: 3.2 },
    { region: HOME_REGION, service: SERVICE.lambda, perDay: 1.1 },
    { region: "global", service: SERVICE.cloudFront, perDay: 7.4 },
    { region: "global", service: SERVICE.route53, perDay: 0.5 },
  ];
  for (const line of other) {
    ledger.addDaily(
      { region: line.region, service: line.service },
      (i, day) => line.perDay * (weekday(day) ? 1.1 : 0.9) * rng.uniform(0.94, 1.06) * dayShare(i),
    );
  }
  for (const task of campaign.tasks) {
    ledger.addRunning(
      { region: task.region, service: ECS_SERVICE },
      task.startedAt ?? ATTACK_START,
      WINDOW_END,
      fargateHourly(task.region, 4, 8),
      COST_BILLED_UNTIL,
    );
  }
  return ledger.toCosts();
}

function buildCoverage(instances: Instance[], ecsRegions: string[]): CoverageEntry[] {
  const entries: CoverageEntry[] = [
    { region: "global", service: "sts", api: "GetCallerIdentity", status: "ok" },
    { region: "global", service: "ec2", api: "DescribeRegions", status: "ok" },
  ];
  for (const region of ENABLED_REGIONS) {
    const here = instances.filter((i) => i.region === region).length;
    entries.push({
      region,
      service: "ec2",
      api: "DescribeInstances",
      status: "ok",
      message: `${here} instance${here === 1 ? "" : "s"}`,
    });
    if (here > 0) {
      entries.push({ region, service: "ec2", api: "DescribeInstanceTypes", status: "ok" });
      entries.push({ region, service: "cloudwatch", api: "GetMetricData", status: "ok" });
    }
    entries.push({ region, service: "cloudtrail", api: "LookupEvents", status: "ok" });
    entries.push(
      region === HOME_REGION
        ? { region, service: "guardduty", api: "ListDetectors", status: "ok", message: "1 detector(s)" }
        : {
            region,
            service: "guardduty",
            api: "ListDetectors",
            status: "ok",
            message: "no detector: GuardDuty is off in this region",
          },
    );
    if (region === HOME_REGION) {
      entries.push({ region, service: "guardduty", api: "GetDetector", status: "ok" });
      entries.push({
        region,
        service: "guardduty",
        api: "ListFindings",
        status: "ok",
        message: `${TASKS_PER_REGION} mining finding(s)`,
      });
      entries.push({ region, service: "guardduty", api: "GetFindings", status: "ok" });
    }
    entries.push({ region, service: "ecs", api: "ListClusters", status: "ok" });
    if (ecsRegions.includes(region)) {
      for (const api of ["DescribeClusters", "ListTasks", "DescribeTasks", "DescribeTaskDefinition"]) {
        entries.push({ region, service: "ecs", api, status: "ok" });
      }
    }
    entries.push({ region, service: "lambda", api: "ListFunctions", status: "ok" });
  }
  for (const region of NOT_OPTED_IN_REGIONS) {
    entries.push({
      region,
      service: "ec2",
      api: "DescribeInstances",
      status: "skipped",
      reason: "not-opted-in",
      message: `${region} is an opt-in region this account has not enabled: nothing can run there.`,
    });
  }
  entries.push({ region: "global", service: "ce", api: "GetCostAndUsage", status: "ok" });
  entries.push({ region: "global", service: "ce", api: "GetAnomalies", status: "ok" });
  return entries;
}

// ---------------------------------------------------------------------------------------------

export function buildFargateCampaign(): AccountSnapshot {
  const instances = webInstances();
  const shopDefinitions = shopTaskDefinitions();
  const campaign = buildCampaign();
  const tasks = [...shopTasks(shopDefinitions), ...campaign.tasks];
  const ecsRegions = [...new Set(tasks.map((t) => t.region))].sort();
  return AccountSnapshotSchema.parse({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    accountId: ACCOUNT_ID,
    collectedAt: COLLECTED_AT,
    window: { start: WINDOW_START, end: WINDOW_END },
    source: {
      tool: "minewatch",
      kind: "scenario",
      description:
        "Fargate campaign: a leaked CI key runs 48 public-image XMRig tasks in four regions (generated by scripts/scenarios/fargate-campaign.ts)",
    },
    regions: regionList(ENABLED_REGIONS, NOT_OPTED_IN_REGIONS),
    instanceTypes: { "m5.large": { vcpus: 2, memoryMiB: 8192, gpus: 0, accelerators: 0 } },
    instances,
    metrics: {
      gpuNamespace: "CWAgent",
      gpuAgentInstanceIds: [],
      byInstance: Object.fromEntries(instances.map((i) => [i.instanceId, webMetrics(i)])),
    },
    costs: buildCosts(campaign),
    costAnomalies: [],
    coverage: buildCoverage(instances, ecsRegions),
    cloudTrail: {
      regionsRead: ENABLED_REGIONS,
      eventNames: ["CreateCluster", "RegisterTaskDefinition", "RunTask"],
      events: [...campaign.events].sort((a, b) => a.eventTime.localeCompare(b.eventTime)),
    },
    guardDuty: {
      regionsChecked: ENABLED_REGIONS,
      detectors: [
        {
          region: HOME_REGION,
          detectorId: "b4c8e2a1d9f7063e5a2b8c1d4e6f7a90",
          status: "ENABLED",
          features: {
            CLOUD_TRAIL: "ENABLED",
            DNS_LOGS: "ENABLED",
            FLOW_LOGS: "ENABLED",
            RUNTIME_MONITORING: "ENABLED",
            "RUNTIME_MONITORING/ECS_FARGATE_AGENT_MANAGEMENT": "ENABLED",
            "RUNTIME_MONITORING/EC2_AGENT_MANAGEMENT": "DISABLED",
            LAMBDA_NETWORK_LOGS: "DISABLED",
          },
        },
      ],
      findings: guardDutyFindings(tasks),
    },
    ecs: {
      regionsRead: ENABLED_REGIONS,
      clusters: [
        {
          arn: SHOP_CLUSTER,
          name: "shop-prod",
          region: HOME_REGION,
          status: "ACTIVE",
          runningTasksCount: 6,
          tags: { team: "shop" },
        },
        ...campaign.clusters,
      ],
      tasks,
      taskDefinitions: [...shopDefinitions, ...campaign.definitions],
    },
    managedCompute: { regionsRead: { lambda: ENABLED_REGIONS }, lambdaFunctions: lambdaFunctions() },
  } satisfies AccountSnapshotInput);
}

/** The attacker's task ARNs, by region, for scenario.yaml. */
export function campaignTaskArns(): string[] {
  return buildCampaign().tasks.map((t) => t.taskArn);
}

function main(): void {
  const snapshot = buildFargateCampaign();
  const bytes = writeCompactJson(OUTPUT, snapshot);
  console.log(
    `wrote ${OUTPUT} (${(bytes / 1024).toFixed(0)} KiB): ${snapshot.ecs?.tasks.length ?? 0} ECS tasks, ${snapshot.instances.length} instances`,
  );
  if (process.argv.includes("--ids")) console.log(campaignTaskArns().join("\n"));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
