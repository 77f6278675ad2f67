/**
 * scenarios/new-principal-home-region: the backup user's access key, unused for EC2 in its whole
 * history, launches four m5.2xlarge in us-east-1, the region the company runs in every day, from a
 * VPS address. The family is familiar and the region is home; what stands out is who launched them
 * and that every core has been pinned since.
 * Run: npx tsx scripts/scenarios/new-principal-home-region.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  cloudTrailCoverage,
  DAY_MS,
  deployRole,
  instanceIdOf,
  isMain,
  iso,
  leakedUser,
  ordinaryCompany,
  pinned,
  poolTrickle,
  runInstancesEvent,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-east-1";
const ACCOUNT = "308417265930";
const WINDOW_END = "2026-11-25T15:00:00.000Z";
const LAUNCH = Date.parse("2026-11-25T02:47:13Z");
const ATTACKER = leakedUser(ACCOUNT, "backup-sync", "AKIA3BACKUPSYNC9Q2WX", "193.142.146.35");
const DEPLOY = deployRole(ACCOUNT);

const company = ordinaryCompany({ region: HOME, prefix: "harbor", utcOffsetHours: -5, since: "2026-04-14T14:00:00Z" });
const miners = [1, 2, 3, 4].map((n) => ({
  name: `harbor-batch-${n}`,
  image: "amzn2023-us-east-1",
  region: HOME,
  instanceType: "m5.2xlarge",
  launchTime: iso(LAUNCH + n * 1_000),
  publicIpPrefixes: ["44.204", "54.163"],
  cpu: pinned,
  networkOut: poolTrickle,
  packetBytes: 160,
}));

export const spec: AccountSpec = {
  scenario: "new-principal-home-region",
  description: "Four m5.2xlarge at 100 % in the home region, launched by an IAM user that never launched compute",
  accountId: ACCOUNT,
  windowEnd: WINDOW_END,
  homeRegions: [HOME],
  workloads: [...company, ...miners],
  extra: {
    cloudTrail: {
      regionsRead: [HOME],
      eventNames: ["RunInstances"],
      lookupStart: iso(Date.parse(WINDOW_END) - 8 * DAY_MS),
      events: [
        // The pipeline replaces a web server every few days: a principal with a launch history.
        runInstancesEvent(
          "harbor-deploy-1",
          DEPLOY,
          "2026-11-19T16:02:11.000Z",
          HOME,
          ["i-0a1b2c3d4e5f60718"],
          "t3.large",
        ),
        runInstancesEvent(
          "harbor-deploy-2",
          DEPLOY,
          "2026-11-24T21:14:52.000Z",
          HOME,
          ["i-0b2c3d4e5f6071829"],
          "t3.large",
        ),
        runInstancesEvent(
          "harbor-attack",
          ATTACKER,
          iso(LAUNCH),
          HOME,
          miners.map((m) => instanceIdOf(m.name)),
          "m5.2xlarge",
        ),
      ],
    },
  },
  extraCoverage: cloudTrailCoverage([HOME]),
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
