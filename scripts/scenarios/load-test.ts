/**
 * scenarios/load-test: the performance team's pre-launch load test. Twelve c5.4xlarge k6 load
 * generators start within three minutes, push the API for three hours at 85-95 % CPU and are
 * terminated; the API's Auto Scaling group grows by four m5.xlarge meanwhile.
 * Run: npx tsx scripts/scenarios/load-test.ts [--ids]
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

const HOME = "eu-west-1";
const WINDOW_END = "2026-11-24T18:00:00.000Z";
const TEST_START = Date.parse("2026-11-24T13:00:20Z");
const TEST_END = Date.parse("2026-11-24T16:10:00Z");

export const spec: AccountSpec = {
  scenario: "load-test",
  description: "Twelve c5.4xlarge load generators for three hours, and the API scaling out under them",
  accountId: "286395174062",
  windowEnd: WINDOW_END,
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "tickets", since: "2026-03-23T09:00:00Z" }),
    ...Array.from({ length: 12 }, (_, k) => ({
      name: `k6-generator-${k + 1}`,
      image: "k6-runner-2026-11",
      region: HOME,
      instanceType: "c5.4xlarge",
      launchTime: iso(TEST_START + k * 14_000),
      state: "terminated" as const,
      endTime: iso(TEST_END + k * 3_000),
      instanceProfile: "loadtest-runner",
      launchTemplate: "k6-generator",
      tags: { Name: "k6-generator", Purpose: "load-test", Team: "performance", Ticket: "PERF-311" },
      cpu: (_ms: number, rng: Rng) => rng.uniform(85, 95),
      networkOut: (_ms: number, rng: Rng) => rng.uniform(6e9, 1.1e10),
      packetBytes: 900,
    })),
    ...Array.from({ length: 4 }, (_, k) => ({
      name: `tickets-api-scaleout-${k + 1}`,
      image: "tickets-api",
      region: HOME,
      instanceType: "m5.xlarge",
      launchTime: iso(TEST_START + 12 * 60_000 + k * 40_000),
      instanceProfile: "tickets-worker",
      autoScalingGroup: "tickets-api",
      tags: { Name: "tickets-api", Environment: "production", "aws:autoscaling:groupName": "tickets-api" },
      cpu: (ms: number, rng: Rng) => (ms < TEST_END ? rng.uniform(60, 75) : rng.uniform(8, 14)),
    })),
  ],
  pastCompute: [
    // The team's CI uses c5 every working day.
    {
      region: HOME,
      instanceType: "c5.xlarge",
      hoursPerDay: (day, _i, rng) =>
        isWeekend(new Date(`${day}T00:00:00Z`).getUTCDay()) ? rng.uniform(1, 4) : rng.uniform(15, 30),
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
