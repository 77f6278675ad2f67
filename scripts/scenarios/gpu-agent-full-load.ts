/**
 * scenarios/gpu-agent-full-load: a stolen ML engineer's key launches three g5.12xlarge from the ML
 * team's own launch template, in the home region. The template installs the CloudWatch agent, so
 * the GPUs report what they do: 100 %, around the clock. The team's g4dn inference servers, with
 * the same agent and a daily rhythm, must stay quiet.
 * Run: npx tsx scripts/scenarios/gpu-agent-full-load.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  iso,
  ordinaryCompany,
  type Rng,
  webWave,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-east-1";
const LAUNCH = Date.parse("2026-11-23T23:10:05Z");

export const spec: AccountSpec = {
  scenario: "gpu-agent-full-load",
  description: "Three g5.12xlarge from the ML team's launch template, GPUs reported at 100 % by the CloudWatch agent",
  accountId: "853102746938",
  windowEnd: "2026-11-24T12:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "vision", utcOffsetHours: -5, since: "2026-05-20T13:00:00Z" }),
    ...[1, 2].map((n) => ({
      name: `inference-${n}`,
      image: "dlami-inference",
      region: HOME,
      instanceType: "g4dn.xlarge",
      launchTime: iso(Date.parse("2026-09-01T16:00:00Z") + n * 31_000),
      instanceProfile: "ml-inference",
      launchTemplate: "ml-inference",
      tags: { Name: "ml-inference", team: "ml" },
      cpu: (ms: number, rng: Rng) => 8 + 20 * webWave(ms, -5) + rng.uniform(-2, 2),
      gpu: (ms: number, rng: Rng) => 12 + 50 * webWave(ms, -5) + rng.uniform(-4, 4),
    })),
    ...[1, 2, 3].map((n) => ({
      name: `g5-stolen-${n}`,
      image: "dlami-gpu-dev",
      region: HOME,
      instanceType: "g5.12xlarge",
      launchTime: iso(LAUNCH + n * 6_000),
      instanceProfile: "ml-gpu-dev",
      launchTemplate: "ml-gpu-dev",
      publicIpPrefixes: ["3.85", "44.201"],
      tags: { Name: "gpu-dev" },
      cpu: (_ms: number, rng: Rng) => rng.uniform(6, 9),
      gpu: (_ms: number, rng: Rng) => Math.min(100, rng.uniform(98.5, 100.5)),
      networkOut: (_ms: number, rng: Rng) => rng.uniform(2e6, 4e6),
      packetBytes: 180,
    })),
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
