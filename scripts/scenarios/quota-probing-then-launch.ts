/**
 * scenarios/quota-probing-then-launch: a CI user's long-term key, leaked in a build log, is first
 * used to map what it may do: denied calls, a DryRun RunInstances for g4dn.12xlarge in four
 * regions, a G-instance vCPU quota increase. Twenty hours later, once the quota is granted, it
 * launches three g4dn.12xlarge in us-east-1, a region the company (eu-west-1) never used.
 * Run: npx tsx scripts/scenarios/quota-probing-then-launch.ts [--ids]
 */

import type { CloudTrailEvent } from "../../lambda/core/sections/cloudtrail.js";
import {
  type AccountSpec,
  buildAccount,
  cloudTrailCoverage,
  DAY_MS,
  type Identity,
  instanceIdOf,
  isMain,
  iso,
  leakedUser,
  ordinaryCompany,
  type Rng,
  runInstancesEvent,
  trailEvent,
  writeScenario,
} from "./account-builder.js";

const HOME = "eu-west-1";
const TARGET = "us-east-1";
const ACCOUNT = "419528376041";
const WINDOW_END = "2026-11-26T06:00:00.000Z";
const PROBE_START = Date.parse("2026-11-24T22:05:00Z");
const LAUNCH = Date.parse("2026-11-25T18:31:40Z");
const ATTACKER: Identity = leakedUser(ACCOUNT, "ci-legacy", "AKIA4CILEGACY7H3KQZ", "45.137.21.9");

function probes(): CloudTrailEvent[] {
  const events: CloudTrailEvent[] = [];
  const denied = ["DescribeInstances", "ListUsers", "GetAccountSummary", "ListRoles", "CreateUser", "DescribeRegions"];
  denied.forEach((eventName, k) => {
    events.push(
      trailEvent(`probe-denied-${k}`, {
        eventTime: iso(PROBE_START + k * 20_000),
        eventName,
        eventSource: eventName.startsWith("Describe") ? "ec2.amazonaws.com" : "iam.amazonaws.com",
        region: HOME,
        ...ATTACKER,
        errorCode: eventName.startsWith("Describe") ? "Client.UnauthorizedOperation" : "AccessDenied",
        errorMessage: `User: arn:aws:iam::${ACCOUNT}:user/ci-legacy is not authorized to perform this operation`,
      }),
    );
  });
  ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"].forEach((region, k) => {
    events.push(
      trailEvent(`probe-dryrun-${region}`, {
        eventTime: iso(PROBE_START + 10 * 60_000 + k * 45_000),
        eventName: "RunInstances",
        eventSource: "ec2.amazonaws.com",
        region,
        ...ATTACKER,
        errorCode: "Client.DryRunOperation",
        errorMessage: "Request would have succeeded, but DryRun flag is set.",
        request: { instanceType: "g4dn.12xlarge", minCount: "3", maxCount: "3" },
      }),
    );
  });
  events.push(
    trailEvent("probe-quota", {
      eventTime: iso(PROBE_START + 16 * 60_000),
      eventName: "RequestServiceQuotaIncrease",
      eventSource: "servicequotas.amazonaws.com",
      region: TARGET,
      ...ATTACKER,
      request: { serviceCode: "ec2", quotaCode: "L-DB2E81BA", desiredValue: "192" },
    }),
  );
  return events;
}

const miners = [1, 2, 3].map((n) => ({
  name: `probed-g4dn-${n}`,
  image: "ubuntu-22.04-us-east-1",
  region: TARGET,
  instanceType: "g4dn.12xlarge",
  launchTime: iso(LAUNCH + n * 2_000),
  publicIpPrefixes: ["3.91", "54.196"],
  cpu: (_ms: number, rng: Rng) => rng.uniform(3, 6),
  networkOut: (_ms: number, rng: Rng) => rng.uniform(2e6, 4e6),
  packetBytes: 180,
}));

export const spec: AccountSpec = {
  scenario: "quota-probing-then-launch",
  description:
    "Denied calls, DryRun in four regions and a G-vCPU quota request, then three g4dn.12xlarge in an unused region",
  accountId: ACCOUNT,
  windowEnd: WINDOW_END,
  windowHours: 36,
  homeRegions: [HOME],
  workloads: [...ordinaryCompany({ region: HOME, prefix: "quill", since: "2026-03-03T09:00:00Z" }), ...miners],
  extra: {
    cloudTrail: {
      regionsRead: [HOME, TARGET, "us-west-2", "ap-southeast-1"],
      eventNames: ["RunInstances", "RequestServiceQuotaIncrease"],
      lookupStart: iso(Date.parse(WINDOW_END) - 36 * 3_600_000 - 7 * DAY_MS),
      events: [
        ...probes(),
        runInstancesEvent(
          "quill-attack",
          ATTACKER,
          iso(LAUNCH),
          TARGET,
          miners.map((m) => instanceIdOf(m.name)),
          "g4dn.12xlarge",
        ),
      ],
    },
  },
  extraCoverage: cloudTrailCoverage([HOME, TARGET, "us-west-2", "ap-southeast-1"]),
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
