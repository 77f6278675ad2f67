/**
 * scenarios/tesla-capped-k8s-nodes: the Tesla case of 2018. An unauthenticated Kubernetes dashboard
 * on the staging cluster lets an attacker schedule a miner Deployment (four replicas, CPU limit
 * 4 cores each, a private pool behind a CDN address) on the existing nodes. No new instance, no new
 * region, no cost anomaly: the nodes keep their office-hours work on top, but their nights, idle for
 * months, now never drop below about 40 %.
 * Run: npx tsx scripts/scenarios/tesla-capped-k8s-nodes.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  HOUR_MS,
  isMain,
  iso,
  isWeekend,
  ordinaryCompany,
  type WorkloadSpec,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-east-1";
const MINER_START = Date.parse("2026-11-21T03:10:00Z");
/** New York office hours (UTC-5 in November). */
const OFFSET = -5;

function stagingLoad(ms: number): number {
  const local = new Date(ms + OFFSET * HOUR_MS);
  const hour = local.getUTCHours();
  if (isWeekend(local.getUTCDay()) || hour < 9 || hour >= 19) return 0;
  return 1;
}

function node(n: number, compromised: boolean): WorkloadSpec {
  return {
    name: `staging-node-${n}`,
    image: "eks-node-1.30-us-east-1",
    region: HOME,
    instanceType: "m5.2xlarge",
    launchTime: iso(Date.parse("2026-08-19T15:02:00Z") + n * 29_000),
    instanceProfile: "eks-staging-node",
    autoScalingGroup: "eks-staging-ng-1",
    launchTemplate: "eks-staging-ng-1",
    tags: {
      Name: "staging-ng-1-node",
      "eks:cluster-name": "staging",
      "eks:nodegroup-name": "ng-1",
      "kubernetes.io/cluster/staging": "owned",
      "aws:autoscaling:groupName": "eks-staging-ng-1",
    },
    cpu: (ms, rng) => {
      const work = stagingLoad(ms) ? rng.uniform(10, 32) : rng.uniform(3, 6);
      // Two miner cores of eight, capped by the pod's CPU limit: a flat 25 points more.
      const miner = compromised && ms >= MINER_START ? 36 + rng.normal(0, 1) : 0;
      return Math.min(100, work + miner);
    },
    networkOut: (ms, rng) =>
      (stagingLoad(ms) ? rng.uniform(2e8, 5e8) : rng.uniform(2e7, 4e7)) +
      (compromised && ms >= MINER_START ? rng.uniform(3e6, 5e6) : 0),
    packetBytes: 700,
  };
}

export const spec: AccountSpec = {
  scenario: "tesla-capped-k8s-nodes",
  description: "A capped miner in pods on four of six existing EKS staging nodes: nights no longer idle, nothing new",
  accountId: "631908274516",
  windowEnd: "2026-11-24T14:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "motors", utcOffsetHours: OFFSET, since: "2026-03-09T14:00:00Z" }),
    ...[1, 2, 3, 4, 5, 6].map((n) => node(n, n <= 4)),
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
