/**
 * scenarios/one-region-c5-4xlarge: the quiet version of a leaked key. Six c5.4xlarge in a single
 * region the account never used (ap-south-1), started within two minutes from a baked AMI (no miner
 * string in user data), every core pinned by XMRig since. Known case: 10 x c5.4xlarge on a root key.
 * Run: npx tsx scripts/scenarios/one-region-c5-4xlarge.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  iso,
  ordinaryCompany,
  pinned,
  poolTrickle,
  writeScenario,
} from "./account-builder.js";

const HOME = "eu-central-1";
const START = Date.parse("2026-11-20T21:40:12Z");

const CLOUD_CONFIG = [
  "#cloud-config",
  "runcmd:",
  '  - [ sh, -c, "nohup /opt/sys/kthreadd -c /opt/sys/config.json >/dev/null 2>&1 &" ]',
  "",
].join("\n");

export const spec: AccountSpec = {
  scenario: "one-region-c5-4xlarge",
  description: "Six c5.4xlarge pinned at 100 % CPU in one unused region (ap-south-1), launched within two minutes",
  accountId: "318274650193",
  windowEnd: "2026-11-21T07:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "fintrack", utcOffsetHours: 1, since: "2026-04-02T08:30:00Z" }),
    ...Array.from({ length: 6 }, (_, k) => ({
      name: `miner-ap-south-1-${k + 1}`,
      image: "custom-ami-ap-south-1",
      region: "ap-south-1",
      instanceType: "c5.4xlarge",
      launchTime: iso(START + k * 19_000),
      keyName: "ops-temp",
      publicIpPrefixes: ["13.232", "65.0"],
      userData: CLOUD_CONFIG,
      cpu: pinned,
      networkOut: poolTrickle,
      packetBytes: 160,
    })),
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
