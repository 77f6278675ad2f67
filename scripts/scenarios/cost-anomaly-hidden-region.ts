/**
 * scenarios/cost-anomaly-hidden-region: the audit role's policy was written with an
 * aws:RequestedRegion condition listing the regions the company meant to use, so DescribeInstances
 * in ap-northeast-1 is denied. A leaked key runs eight c5.9xlarge there. Minewatch cannot see them:
 * only Cost Explorer (new spend in the region and an anomaly on EC2) and the coverage gap can.
 * Run: npx tsx scripts/scenarios/cost-anomaly-hidden-region.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  iso,
  ordinaryCompany,
  pinned,
  writeScenario,
} from "./account-builder.js";

const HOME = "eu-central-1";
const HIDDEN = "ap-northeast-1";
const LAUNCH = Date.parse("2026-11-22T17:48:09Z");

export const spec: AccountSpec = {
  scenario: "cost-anomaly-hidden-region",
  description: "Eight c5.9xlarge in a region whose inventory the audit role may not read: only cost shows them",
  accountId: "175308264913",
  windowEnd: "2026-11-25T06:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "brauhaus", utcOffsetHours: 1, since: "2026-03-30T07:00:00Z" }),
    ...Array.from({ length: 8 }, (_, k) => ({
      name: `hidden-${k + 1}`,
      region: HIDDEN,
      instanceType: "c5.9xlarge",
      launchTime: iso(LAUNCH + k * 7_000),
      hidden: true,
      cpu: pinned,
    })),
  ],
  deniedInventoryRegions: {
    [HIDDEN]:
      "UnauthorizedOperation: You are not authorized to perform this operation. User: arn:aws:sts::175308264913:assumed-role/minewatch-audit/minewatch is not authorized to perform: ec2:DescribeInstances with an explicit deny in an identity-based policy (condition aws:RequestedRegion)",
  },
  anomalies: [{ name: "c5-tokyo", startDate: "2026-11-23", region: HIDDEN, instanceType: "c5.9xlarge" }],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
