/**
 * scenarios/database-steady-cpu: flat, but always was. A Tokyo retailer's PostgreSQL primary has
 * held about 40 % CPU day and night for months (batch imports and the web load even out), its
 * replica about 35 %, and an analytics box about 55 %. Flat plateaus with no level shift, no
 * trend: nothing a miner changed.
 * Run: npx tsx scripts/scenarios/database-steady-cpu.ts [--ids]
 */
import {
  type AccountSpec,
  buildAccount,
  isMain,
  ordinaryCompany,
  type Rng,
  webWave,
  writeScenario,
} from "./account-builder.js";

const HOME = "ap-northeast-1";

const steady = (level: number, swing: number) => (ms: number, rng: Rng) =>
  level + swing * webWave(ms, 9) + rng.normal(0, 1.8);

export const spec: AccountSpec = {
  scenario: "database-steady-cpu",
  description: "A database at a steady 40 % CPU for months, a replica and an analytics box just as flat",
  accountId: "397406258173",
  windowEnd: "2026-11-25T03:00:00.000Z",
  homeRegions: [HOME],
  workloads: [
    ...ordinaryCompany({ region: HOME, prefix: "kaimono", utcOffsetHours: 9, since: "2026-05-12T00:00:00Z" }),
    {
      name: "kaimono-pg-primary",
      region: HOME,
      instanceType: "r6i.2xlarge",
      launchTime: "2026-04-21T02:10:44.000Z",
      instanceProfile: "kaimono-db",
      tags: { Name: "pg-primary", Role: "postgresql", Environment: "production" },
      cpu: steady(39, 2),
      packetBytes: 800,
    },
    {
      name: "kaimono-pg-replica",
      region: HOME,
      instanceType: "r6i.2xlarge",
      launchTime: "2026-04-21T02:31:02.000Z",
      instanceProfile: "kaimono-db",
      tags: { Name: "pg-replica", Role: "postgresql", Environment: "production" },
      cpu: steady(34, 1.5),
      packetBytes: 800,
    },
    {
      name: "kaimono-analytics",
      region: HOME,
      instanceType: "m5.2xlarge",
      launchTime: "2026-07-07T05:00:19.000Z",
      instanceProfile: "kaimono-analytics",
      tags: { Name: "analytics-etl", Environment: "production" },
      cpu: steady(54, 3),
    },
  ],
};

export const build = () => buildAccount(spec);
if (isMain(import.meta.url)) writeScenario(spec);
