/**
 * scenarios/month-end-batch: the finance close. On the last day of every month the close job's
 * Auto Scaling group scales to eight m5.4xlarge for about fourteen hours at 55-75 % CPU, and Cost
 * Anomaly Detection flags the EC2 spike, as it did last month. A recurring peak, not an intruder.
 * Run: npx tsx scripts/scenarios/month-end-batch.ts [--ids]
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

const HOME = "us-east-1";
const WINDOW_END = "2026-12-01T08:00:00.000Z";
const CLOSE_START = Date.parse("2026-11-30T18:00:15Z");

/** Last day of each month in the cost series, from 18:00 for 14 hours: hours on that day and the next. */
function closeHours(day: string): number {
  const date = new Date(`${day}T00:00:00Z`);
  const next = new Date(date.getTime() + 86_400_000);
  if (next.getUTCDate() === 1) return 8 * 6; // 18:00-24:00 on the last day
  if (date.getUTCDate() === 1) return 8 * 8; // 00:00-08:00 on the first
  return 0;
}

export const spec: AccountSpec = {
  scenario: "month-end-batch",
  description: "Eight m5.4xlarge for the monthly finance close and the Cost Explorer anomaly it raises, as every month",
  accountId: "619528407316",
  windowEnd: WINDOW_END,
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "ledgerly", utcOffsetHours: -5, since: "2026-01-12T14:00:00Z" }),
    ...Array.from({ length: 8 }, (_, k) => ({
      name: `finance-close-${k + 1}`,
      image: "finance-close-2026-11",
      region: HOME,
      instanceType: "m5.4xlarge",
      launchTime: iso(CLOSE_START + k * 6_000),
      instanceProfile: "finance-close",
      autoScalingGroup: "finance-close",
      launchTemplate: "finance-close",
      tags: {
        Name: "finance-close",
        Team: "finance-eng",
        Schedule: "month-end",
        "aws:autoscaling:groupName": "finance-close",
      },
      cpu: (_ms: number, rng: Rng) => rng.uniform(55, 75),
      networkOut: (_ms: number, rng: Rng) => rng.uniform(1e9, 3e9),
    })),
  ],
  pastCompute: [
    {
      region: HOME,
      instanceType: "m5.4xlarge",
      // The earlier closes (the current one is billed from the workloads themselves).
      hoursPerDay: (day) => (day < "2026-11-30" ? closeHours(day) : 0),
    },
  ],
  anomalies: [{ name: "close", startDate: "2026-11-30", region: HOME, instanceType: "m5.4xlarge", impactUsd: 131.62 }],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
