/**
 * scenarios/render-farm-g5-night: a Los Angeles animation studio renders overnight. At 20:00 local
 * the Deadline Spot plugin starts ten g5.2xlarge spot instances; the CloudWatch agent reports the
 * GPUs at about 95 % until the queue drains before dawn. It has done so on working nights all
 * quarter, so the family and the spend are the account's routine.
 * Run: npx tsx scripts/scenarios/render-farm-g5-night.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  iso,
  isWeekend,
  ordinaryCompany,
  type Rng,
  writeScenario,
} from "./account-builder.js";

const HOME = "us-west-2";
const WINDOW_END = "2026-11-25T12:00:00.000Z";
/** 20:00 in Los Angeles (UTC-8). */
const RENDER_START = Date.parse("2026-11-25T04:00:00Z");

export const spec: AccountSpec = {
  scenario: "render-farm-g5-night",
  description: "Ten g5.2xlarge spot render nodes at 95 % GPU overnight, as on every working night this quarter",
  accountId: "175284639051",
  windowEnd: WINDOW_END,
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({
      region: HOME,
      prefix: "frames",
      utcOffsetHours: -8,
      webServers: 2,
      since: "2026-04-06T17:00:00Z",
    }),
    ...Array.from({ length: 10 }, (_, k) => ({
      name: `render-node-${k + 1}`,
      image: "deadline-worker-g5-2026-10",
      region: HOME,
      instanceType: "g5.2xlarge",
      launchTime: iso(RENDER_START + k * 11_000),
      lifecycle: "spot" as const,
      instanceProfile: "deadline-spot-worker",
      launchTemplate: "deadline-g5-worker",
      tags: { Name: "render-worker", DeadlineTrackedAWSResource: "SpotEventPlugin", team: "render" },
      cpu: (_ms: number, rng: Rng) => rng.uniform(14, 26),
      gpu: (_ms: number, rng: Rng) => Math.min(100, 94 + rng.normal(0, 2.5)),
      networkOut: (_ms: number, rng: Rng) => rng.uniform(4e8, 1.2e9),
      packetBytes: 7000,
    })),
  ],
  pastCompute: [
    {
      region: HOME,
      instanceType: "g5.2xlarge",
      spot: true,
      hoursPerDay: (day, _i, rng) =>
        isWeekend(new Date(`${day}T00:00:00Z`).getUTCDay()) ? 0 : 10 * rng.uniform(7, 10),
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
