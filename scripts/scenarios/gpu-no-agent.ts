/**
 * scenarios/gpu-no-agent: four p3.2xlarge in the home region, launched at night by a key that never
 * launched anything before, with no CloudWatch agent: their GPUs are invisible and their CPU idles
 * at 4 %. Nothing at rest, no launch wave, no new region: the type alone must carry it, and the
 * report must say that GPU load could not be seen.
 * Run: npx tsx scripts/scenarios/gpu-no-agent.ts [--ids]
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

const HOME = "eu-west-1";
const LAUNCH = Date.parse("2026-11-25T01:31:20Z");

export const spec: AccountSpec = {
  scenario: "gpu-no-agent",
  description: "Four p3.2xlarge without the CloudWatch agent in the home region, CPU idle, GPUs unobserved",
  accountId: "964213857024",
  windowEnd: "2026-11-25T10:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "parcel", since: "2026-02-02T10:00:00Z" }),
    ...[1, 2, 3, 4].map((n) => ({
      name: `p3-night-${n}`,
      image: "ubuntu-22.04-eu-west-1",
      region: HOME,
      instanceType: "p3.2xlarge",
      launchTime: iso(LAUNCH + n * 41_000),
      keyName: "tmp",
      publicIpPrefixes: ["34.245", "54.75"],
      cpu: (_ms: number, rng: Rng) => rng.uniform(3, 5.5),
      networkOut: (_ms: number, rng: Rng) => rng.uniform(2e6, 3.5e6),
      packetBytes: 190,
    })),
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
