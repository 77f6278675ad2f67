/**
 * scenarios/batch-and-parallelcluster: a genomics lab. Every night AWS Batch scales a compute
 * environment of c6a.16xlarge to eight instances for variant calling, and the CFD group's
 * ParallelCluster runs its queue on hpc6a.48xlarge nodes. Both sit at 100 % CPU for hours: that is
 * their job, on families the account has paid for all quarter.
 * Run: npx tsx scripts/scenarios/batch-and-parallelcluster.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  iso,
  isWeekend,
  ordinaryCompany,
  type Rng,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-east-2";
const WINDOW_END = "2026-11-25T08:00:00.000Z";
const BATCH_START = Date.parse("2026-11-24T20:10:00Z");
const HPC_START = Date.parse("2026-11-24T18:02:00Z");
const ACCOUNT = "964073852149";

const busy = (_ms: number, rng: Rng) => Math.min(100, 98.6 + rng.normal(0, 0.8));

export const spec: AccountSpec = {
  scenario: "batch-and-parallelcluster",
  description: "AWS Batch (c6a.16xlarge) and ParallelCluster (hpc6a.48xlarge) jobs at 100 % CPU overnight",
  accountId: ACCOUNT,
  windowEnd: WINDOW_END,
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({
      region: HOME,
      prefix: "genlab",
      utcOffsetHours: -5,
      webServers: 2,
      since: "2026-02-16T15:00:00Z",
    }),
    {
      name: "pcluster-head",
      region: HOME,
      instanceType: "c6i.2xlarge",
      launchTime: "2026-06-02T13:40:00.000Z",
      instanceProfile: "parallelcluster-cfd-head",
      tags: {
        Name: "HeadNode",
        "parallelcluster:cluster-name": "cfd",
        "parallelcluster:node-type": "HeadNode",
        "parallelcluster:version": "3.11.1",
      },
      cpu: (_ms, rng) => rng.uniform(4, 9),
    },
    ...Array.from({ length: 8 }, (_, k) => ({
      name: `batch-variant-${k + 1}`,
      image: "ecs-optimized-al2023",
      region: HOME,
      instanceType: "c6a.16xlarge",
      launchTime: iso(BATCH_START + k * 9_000),
      instanceProfile: "ecsInstanceRole",
      autoScalingGroup: "genomics-ce-asg-7f3a1c2e",
      tags: {
        Name: "genomics-ce",
        "aws:batch:compute-environment": "genomics-ce",
        "aws:autoscaling:groupName": "genomics-ce-asg-7f3a1c2e",
      },
      cpu: busy,
      networkOut: (_ms: number, rng: Rng) => rng.uniform(2e9, 6e9),
      packetBytes: 8000,
    })),
    ...Array.from({ length: 4 }, (_, k) => ({
      name: `pcluster-compute-${k + 1}`,
      image: "pcluster-3.11.1-alinux2023",
      region: HOME,
      instanceType: "hpc6a.48xlarge",
      launchTime: iso(HPC_START + k * 12_000),
      instanceProfile: "parallelcluster-cfd-compute",
      launchTemplate: "cfd-hpc",
      tags: {
        Name: "Compute",
        "parallelcluster:cluster-name": "cfd",
        "parallelcluster:node-type": "Compute",
        "parallelcluster:queue-name": "hpc",
        "parallelcluster:compute-resource-name": "hpc6a",
      },
      cpu: busy,
      networkOut: (_ms: number, rng: Rng) => rng.uniform(8e9, 1.5e10),
      packetBytes: 8900,
    })),
  ],
  pastCompute: [
    { region: HOME, instanceType: "c6a.16xlarge", hoursPerDay: (_d, _i, rng) => rng.uniform(40, 90) },
    {
      region: HOME,
      instanceType: "hpc6a.48xlarge",
      hoursPerDay: (day, _i, rng) => (isWeekend(new Date(`${day}T00:00:00Z`).getUTCDay()) ? 0 : rng.uniform(24, 56)),
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
